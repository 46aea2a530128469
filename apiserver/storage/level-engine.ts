// LevelEngine is the only code that knows LevelDB. It persists objects and the change log,
// batching concurrent commits into one synced LevelDB write (group commit).
import { Level } from 'level';
import type { KV, StoreEvent, EventType } from './interfaces.js';

const OBJ = 'o\x00';
const LOG = 'l\x00';
const META_REV = 'm\x00rev';
const META_COMPACTED = 'm\x00compacted';
const REV_DIGITS = 16;

const revKey = (rev: number) => LOG + String(rev).padStart(REV_DIGITS, '0');

/**
 * LevelDB's sizes for a store that takes a steady stream of ~1 KB writes at random keys.
 * LevelDB's defaults (a 4 MiB write buffer, 2 MiB tables) flush a small level-0 table every
 * ~2,000 creates, and each one is merged into level 1 again; as the store grows every such
 * merge rewrites more overlapping tables, on the cores the event loop needs. A 16 MiB buffer
 * and 8 MiB tables merge a quarter as often, for at most two buffers (32 MiB) more memory:
 * storage alone took 45% less CPU per create at 100k objects and 27% less at 500k
 * (bench/store-engine.ts, docs/benchmarks.md).
 */
const levelOptions = { writeBufferSize: 16 * 1024 * 1024, maxFileSize: 8 * 1024 * 1024 };

/** What the engine holds on disk, loaded once at start. */
export interface LoadedState {
  objects: Map<string, KV>;
  /** The retained change log, oldest first. */
  events: StoreEvent[];
  revision: number;
  compactedRevision: number;
}

interface PendingCommit {
  events: readonly StoreEvent[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class LevelEngine {
  private queue: PendingCommit[] = [];
  private flushing = false;

  private constructor(private readonly db: Level<string, string>) {}

  static async open(dir: string): Promise<{ engine: LevelEngine; state: LoadedState }> {
    const db = new Level<string, string>(dir, { valueEncoding: 'utf8', keyEncoding: 'utf8', ...levelOptions });
    await db.open();
    const engine = new LevelEngine(db);
    return { engine, state: await engine.load() };
  }

  private async load(): Promise<LoadedState> {
    const objects = new Map<string, KV>();
    for await (const [k, v] of this.db.iterator({ gte: OBJ, lt: OBJ + '\xff' })) {
      const kv = decodeObject(k.slice(OBJ.length), v);
      objects.set(kv.key, kv);
    }
    const events: StoreEvent[] = [];
    for await (const [, v] of this.db.iterator({ gte: LOG, lt: LOG + '\xff' })) events.push(decodeEvent(v));
    const metaRev = Number((await this.db.get(META_REV)) ?? 0);
    const revision = Math.max(metaRev, events.at(-1)?.revision ?? 0);
    const storedCompacted = Number((await this.db.get(META_COMPACTED)) ?? 0);
    const compactedRevision = events.length > 0 ? events[0].revision - 1 : Math.max(storedCompacted, revision);
    return { objects, events, revision, compactedRevision };
  }

  /** Persists the events durably; concurrent calls share one synced batch. */
  commit(events: readonly StoreEvent[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      const ops: BatchOp[] = [];
      let last = 0;
      for (const c of group) {
        for (const ev of c.events) {
          if (ev.type === 'DELETED') ops.push({ type: 'del', key: OBJ + ev.kv.key });
          else ops.push({ type: 'put', key: OBJ + ev.kv.key, value: encodeObject(ev.kv) });
          ops.push({ type: 'put', key: revKey(ev.revision), value: encodeEvent(ev) });
          last = ev.revision;
        }
      }
      ops.push({ type: 'put', key: META_REV, value: String(last) });
      try {
        await writeBatch(this.db, ops);
        for (const c of group) c.resolve();
      } catch (err) {
        for (const c of group) c.reject(err);
      }
    }
    this.flushing = false;
  }

  /** Drops log entries at or below `revision`. */
  async compact(revision: number): Promise<void> {
    await this.db.put(META_COMPACTED, String(revision), { sync: false });
    await this.db.clear({ gte: LOG, lte: revKey(revision) });
  }

  async close(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
    await this.db.close();
  }
}

type BatchOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

/**
 * One synced batch through classic-level's own batch rather than abstract-level's public
 * wrapper. The wrapper clones, checks and re-encodes every operation: ~20 µs of the event loop
 * per operation, two operations per write, for keys and values that are utf8 strings already.
 * Only called while the database is open (close() waits for the flush).
 */
function writeBatch(db: Level<string, string>, ops: BatchOp[]): Promise<void> {
  return (db as unknown as { _batch(ops: BatchOp[], options: { sync: boolean }): Promise<void> })._batch(ops, { sync: true });
}

// On-disk formats. Values are already JSON; they are stored raw after a small header so that
// nothing is escaped twice.

function encodeObject(kv: KV): string {
  return `${kv.modRevision} ${kv.createRevision} ${kv.value}`;
}

function decodeObject(key: string, s: string): KV {
  const a = s.indexOf(' ');
  const b = s.indexOf(' ', a + 1);
  return { key, modRevision: Number(s.slice(0, a)), createRevision: Number(s.slice(a + 1, b)), value: s.slice(b + 1) };
}

interface EventHeader {
  t: EventType;
  k: string;
  r: number;
  ts: number;
  m: number;
  c: number;
  n: number;
  pm?: number;
  pc?: number;
}

function encodeEvent(ev: StoreEvent): string {
  const h: EventHeader = {
    t: ev.type, k: ev.kv.key, r: ev.revision, ts: ev.time,
    m: ev.kv.modRevision, c: ev.kv.createRevision, n: ev.kv.value.length,
  };
  if (ev.prev) {
    h.pm = ev.prev.modRevision;
    h.pc = ev.prev.createRevision;
  }
  return JSON.stringify(h) + '\n' + ev.kv.value + (ev.prev ? ev.prev.value : '');
}

function decodeEvent(s: string): StoreEvent {
  const nl = s.indexOf('\n');
  const h = JSON.parse(s.slice(0, nl)) as EventHeader;
  const body = s.slice(nl + 1);
  const kv: KV = { key: h.k, value: body.slice(0, h.n), modRevision: h.m, createRevision: h.c };
  const prev: KV | undefined = h.pm === undefined
    ? undefined
    : { key: h.k, value: body.slice(h.n), modRevision: h.pm, createRevision: h.pc ?? h.pm };
  return { type: h.t, revision: h.r, kv, prev, time: h.ts };
}
