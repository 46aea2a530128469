// The persistence contract. Storage speaks keys, string values and revisions; it knows
// nothing about kinds. One global revision orders every write and is the resourceVersion.

/** A stored value with the revisions that describe it. */
export interface KV {
  readonly key: string;
  /** The serialized object, already carrying its resourceVersion. */
  readonly value: string;
  /** Revision of the write that produced this value. */
  readonly modRevision: number;
  /** Revision of the write that created the key. */
  readonly createRevision: number;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed change. `prev` is the value before the change (absent for ADDED). */
export interface StoreEvent {
  readonly type: EventType;
  readonly revision: number;
  /** For DELETED: the last value the key had (its modRevision is the deletion revision). */
  readonly kv: KV;
  readonly prev?: KV;
  /** When the change was committed, ms since epoch. */
  readonly time: number;
}

/** Serializes the value once its revision is known (the revision is embedded in the object). */
export type Encoder = (revision: number) => string;

export interface ListOptions {
  /** Serve the list as it was at this revision (undoes later changes); throws Compacted if too old. */
  readonly atRevision?: number;
  /** Only keys strictly greater than this one (continue tokens). */
  readonly after?: string;
  /** Filter applied before `limit` counts an item. */
  readonly filter?: (kv: KV) => boolean;
  /** At most this many items; 0 or absent means all. */
  readonly limit?: number;
}

export interface ListResult {
  readonly items: KV[];
  /** Revision the list reflects. */
  readonly revision: number;
  /** The last key returned when more items remain after it. */
  readonly continueAfter?: string;
  /** Items left after this page: exact without a filter; with one, only "more than zero" is known. */
  readonly remaining?: number;
}

export interface Watcher {
  /** Stops delivering events; idempotent. */
  stop(): void;
}

export interface WatchOptions {
  /** Deliver events with revision > fromRevision. Throws Compacted if history no longer holds them. */
  readonly fromRevision: number;
  readonly onEvents: (events: readonly StoreEvent[]) => void;
}

/**
 * Store is what the API registry persists through. Reads see only committed (durable) data.
 * Writes resolve once durable; conflicting writes reject with StorageError('Conflict').
 */
export interface Store {
  /** The newest committed revision. */
  revision(): number;
  /** The oldest revision history still covers: watches and snapshots need fromRevision >= this. */
  compactedRevision(): number;
  get(key: string): KV | undefined;
  /** The newest value including writes not yet durable: for read-modify-write loops only. */
  getLatest(key: string): KV | undefined;
  /** Items whose key starts with `prefix`, in key order. */
  list(prefix: string, opts?: ListOptions): ListResult;
  count(prefix: string): number;
  /** Fails with KeyExists when the key is present. */
  create(key: string, encode: Encoder): Promise<KV>;
  /** Fails with NotFound, or Conflict when the key's modRevision is not `expectedModRevision`. */
  update(key: string, expectedModRevision: number, encode: Encoder): Promise<KV>;
  /** Fails with NotFound, or Conflict when `expectedModRevision` is given and differs. Returns the deleted value. */
  delete(key: string, expectedModRevision?: number): Promise<KV>;
  /** Calls onEvents, in revision order, for every change under `prefix` after fromRevision. */
  watch(prefix: string, opts: WatchOptions): Watcher;
  close(): Promise<void>;
}

export type StorageErrorCode = 'KeyExists' | 'NotFound' | 'Conflict' | 'Compacted' | 'Closed';

export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    readonly key: string,
    message?: string,
    /** For Conflict: the current value. For Compacted: the compacted revision. */
    readonly current?: KV,
    readonly compactedRevision?: number,
  ) {
    super(message ?? `${code}: ${key}`);
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
