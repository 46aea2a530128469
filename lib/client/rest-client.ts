// A lean Kubernetes REST client over node:https with keep-alive: plain JSON in and out, any
// resource path, errors as ApiError carrying the server's Status. Informers, controllers, the
// scheduler and the simulated agent all talk to the API through it.
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import { createSecureContext } from 'node:tls';
import { readKubeconfig, type ClientConfig } from '../kubeconfig.js';
import { ApiError, statusFromResponse } from './api-error.js';
import { apiVersionOf, resourcePath, type ResourceType } from './resource-types.js';
import type { KubeList, KubeObject, WatchEvent } from './types.js';
import { readWatchStream } from './watch-stream.js';

export interface ClientOptions {
  /** Sent as User-Agent (servers log it; kubectl shows it in managedFields). */
  userAgent?: string;
  /** Concurrent connections for requests (default 64); each watch has a connection of its own. */
  maxSockets?: number;
  /** Deadline for one non-watch request (default 60 s). */
  timeoutMs?: number;
  /** Close request connections idle this long (default: keep them until the server closes them). */
  idleSocketMs?: number;
  /**
   * Opens a connection that is already trusted (the control plane inside the API server's
   * process): plain HTTP over it, no TLS; the server knows who is at the other end.
   */
  connect?: () => Duplex;
}

type Query = Record<string, string | number | boolean | undefined>;

export interface RequestSpec {
  method: string;
  path: string;
  query?: Query;
  body?: unknown;
  contentType?: string;
  /** The Accept header (default application/json). */
  accept?: string;
  signal?: AbortSignal;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Calls that the server may briefly refuse (429/503 with Retry-After) are retried this often. */
const maxRetries = 5;

export class KubeClient {
  private readonly base: URL;
  private readonly agent: HttpAgent;
  /** Watches hold their connection for minutes: they must not take the requests' sockets. */
  private readonly streamAgent: HttpAgent;
  private readonly openRequest: typeof httpRequest;
  private readonly timeoutMs: number;
  private readonly userAgent: string;

  constructor(readonly config: ClientConfig, opts: ClientOptions = {}) {
    this.base = new URL(config.server);
    const requests = { keepAlive: true, maxSockets: opts.maxSockets ?? 64, timeout: opts.idleSocketMs };
    const streams = { keepAlive: true };
    if (opts.connect) {
      [this.agent, this.streamAgent] = [new HttpAgent(requests), new HttpAgent(streams)];
      for (const a of [this.agent, this.streamAgent]) (a as unknown as { createConnection: () => Duplex }).createConnection = opts.connect;
      this.openRequest = httpRequest;
    } else {
      // One TLS context for every connection: building it (parsing the key) per socket is costly.
      const tls = {
        secureContext: createSecureContext({ ca: config.caCert, cert: config.clientCert, key: config.clientKey }),
        rejectUnauthorized: !config.insecure,
      };
      [this.agent, this.streamAgent] = [new HttpsAgent({ ...requests, ...tls }), new HttpsAgent({ ...streams, ...tls })];
      this.openRequest = httpsRequest;
    }
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.userAgent = opts.userAgent ?? 'k8ts';
  }

  /**
   * Presents a new client certificate (a renewed one) on connections opened from now on; open
   * keep-alive connections keep the old one, which stays valid until it expires.
   */
  updateCredentials(cert: string, key: string): void {
    const secureContext = createSecureContext({ ca: this.config.caCert, cert, key });
    for (const a of [this.agent, this.streamAgent]) (a as unknown as { options: { secureContext?: unknown } }).options.secureContext = secureContext;
    this.config.clientCert = cert;
    this.config.clientKey = key;
  }

  static fromKubeconfig(file: string, opts: ClientOptions = {}): KubeClient {
    return new KubeClient(readKubeconfig(file), opts);
  }

  /** A typed view of one resource. */
  resource<T extends KubeObject>(type: ResourceType): ResourceClient<T> {
    return new ResourceClient<T>(this, type);
  }

  /** Sends a request and parses the JSON answer; non-2xx answers throw ApiError. */
  async request<T>(spec: RequestSpec): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.send(spec, this.timeoutMs);
      const text = await readAll(res);
      const code = res.statusCode ?? 0;
      if (code >= 200 && code < 300) return (text ? JSON.parse(text) : {}) as T;
      const status = statusFromResponse(code, text);
      const retryAfter = Number(res.headers['retry-after'] ?? status.details?.retryAfterSeconds ?? 0);
      if ((code === 429 || code === 503) && retryAfter > 0 && attempt < maxRetries && !spec.signal?.aborted) {
        await new Promise((r) => setTimeout(r, Math.min(retryAfter, 10) * 1000));
        continue;
      }
      throw new ApiError(status, spec.method, spec.path);
    }
  }

  /** Opens a streaming response (watch); non-2xx answers throw ApiError. */
  async stream(spec: RequestSpec): Promise<IncomingMessage> {
    const res = await this.send(spec, 0, this.streamAgent);
    const code = res.statusCode ?? 0;
    if (code >= 200 && code < 300) return res;
    throw new ApiError(statusFromResponse(code, await readAll(res)), spec.method, spec.path);
  }

  /** Closes idle keep-alive connections; in-flight requests finish. */
  close(): void {
    this.agent.destroy();
    this.streamAgent.destroy();
  }

  private send(spec: RequestSpec, timeoutMs: number, agent = this.agent): Promise<IncomingMessage> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + spec.path, this.base);
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const payload = spec.body === undefined ? undefined : typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body);
    const headers: Record<string, string> = { Accept: spec.accept ?? 'application/json', 'User-Agent': this.userAgent };
    if (payload !== undefined) {
      headers['Content-Type'] = spec.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`;
    const options: RequestOptions = {
      method: spec.method, agent, headers, signal: spec.signal,
      host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || 443, path: url.pathname + url.search,
    };
    return new Promise((resolve, reject) => {
      const req = this.openRequest(options, resolve);
      req.on('error', reject);
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`${spec.method} ${spec.path}: timed out after ${timeoutMs} ms`)));
      }
      req.end(payload);
    });
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  /** Items as PartialObjectMetadata (kind, apiVersion meta.k8s.io/v1, metadata), as client-go's metadata client asks. */
  metadataOnly?: boolean;
  signal?: AbortSignal;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  /** Event objects as PartialObjectMetadata, as client-go's metadata client asks. */
  metadataOnly?: boolean;
  signal: AbortSignal;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  signal?: AbortSignal;
}

export interface PatchOptions extends WriteOptions {
  subresource?: string;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** Default page size when listing everything (as client-go's pager). */
export const defaultPageSize = 500;

/** The verbs on one resource; namespace '' means cluster-scoped (or all namespaces for list/watch). */
export class ResourceClient<T extends KubeObject> {
  constructor(readonly client: KubeClient, readonly type: ResourceType) {}

  path(namespace = '', name = '', subresource = ''): string {
    return resourcePath(this.type, namespace, name, subresource);
  }

  get(namespace: string, name: string, signal?: AbortSignal): Promise<T> {
    return this.client.request<T>({ method: 'GET', path: this.path(namespace, name), signal });
  }

  /** One page (or all of it when no limit is given). */
  list(namespace = '', opts: ListOptions = {}): Promise<KubeList<T>> {
    const { signal, metadataOnly, ...query } = opts;
    const accept = metadataOnly ? metadataAccept('PartialObjectMetadataList') : undefined;
    return this.client.request<KubeList<T>>({ method: 'GET', path: this.path(namespace), query: { ...query }, accept, signal });
  }

  /** Every item, fetched in pages; a page token that expired restarts the list from the beginning. */
  async listAll(namespace = '', opts: Omit<ListOptions, 'limit' | 'continue'> = {}): Promise<KubeList<T>> {
    for (;;) {
      const items: T[] = [];
      let cont: string | undefined;
      let first: KubeList<T> | undefined;
      try {
        do {
          const page = await this.list(namespace, { ...opts, limit: defaultPageSize, continue: cont, resourceVersion: cont ? undefined : opts.resourceVersion });
          first ??= page;
          items.push(...page.items);
          cont = page.metadata?.continue || undefined;
        } while (cont);
      } catch (err) {
        if (cont && err instanceof ApiError && err.code === 410) continue;
        throw err;
      }
      return { ...first!, metadata: { resourceVersion: first!.metadata?.resourceVersion }, items };
    }
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.client.request<T>({
      method: 'POST', path: this.path(obj.metadata?.namespace ?? ''), body: this.typed(obj), query: writeQuery(opts), signal: opts.signal,
    });
  }

  /** POST to a subresource (binding, eviction): returns whatever the server answers. */
  createSubresource<R = unknown>(namespace: string, name: string, subresource: string, body: unknown, opts: WriteOptions = {}): Promise<R> {
    return this.client.request<R>({ method: 'POST', path: this.path(namespace, name, subresource), body, query: writeQuery(opts), signal: opts.signal });
  }

  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    const m = obj.metadata ?? {};
    return this.client.request<T>({ method: 'PUT', path: this.path(m.namespace ?? '', m.name ?? ''), body: this.typed(obj), query: writeQuery(opts), signal: opts.signal });
  }

  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.updateSubresource(obj, 'status', opts);
  }

  /** PUT to a subresource that takes the whole object (status, finalize). */
  updateSubresource(obj: T, subresource: string, opts: WriteOptions = {}): Promise<T> {
    const m = obj.metadata ?? {};
    return this.client.request<T>({ method: 'PUT', path: this.path(m.namespace ?? '', m.name ?? '', subresource), body: this.typed(obj), query: writeQuery(opts), signal: opts.signal });
  }

  patch(namespace: string, name: string, patch: unknown, type: PatchType, opts: PatchOptions = {}): Promise<T> {
    return this.client.request<T>({
      method: 'PATCH', path: this.path(namespace, name, opts.subresource), body: patch, contentType: patchContentTypes[type],
      query: { ...writeQuery(opts), force: opts.force || undefined }, signal: opts.signal,
    });
  }

  /** Deletes an object; returns the object (when only marked for deletion) or the server's Status. */
  delete(namespace: string, name: string, opts: DeleteOptions = {}): Promise<T | { kind: 'Status' }> {
    const { dryRun, signal, ...rest } = opts;
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', ...rest };
    return this.client.request({ method: 'DELETE', path: this.path(namespace, name), body, query: { dryRun: dryRun ? 'All' : undefined }, signal });
  }

  /** Deletes every object the selectors match in a namespace (DELETE on the collection). */
  deleteCollection(namespace: string, opts: DeleteOptions & { labelSelector?: string; fieldSelector?: string } = {}): Promise<KubeList<T>> {
    const { dryRun, signal, labelSelector, fieldSelector, ...rest } = opts;
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', ...rest };
    return this.client.request({ method: 'DELETE', path: this.path(namespace), body, query: { dryRun: dryRun ? 'All' : undefined, labelSelector, fieldSelector }, signal });
  }

  /**
   * Streams changes until the server ends the watch (resolves) or the signal aborts (resolves).
   * An ERROR event rejects with its Status as ApiError (410 Expired: relist).
   */
  async watch(namespace: string, opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void): Promise<void> {
    const path = this.path(namespace);
    const { signal, metadataOnly, ...rest } = opts;
    const accept = metadataOnly ? metadataAccept('PartialObjectMetadata') : undefined;
    let res: IncomingMessage;
    try {
      res = await this.client.stream({ method: 'GET', path, query: { watch: 'true', ...rest }, accept, signal });
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    await readWatchStream<T>(res, signal, (ev) => {
      if (ev.type === 'ERROR') throw new ApiError(statusFromResponse((ev.object as { code?: number }).code ?? 500, JSON.stringify(ev.object)), 'WATCH', path);
      onEvent(ev);
    });
  }

  /** Fills apiVersion and kind, which the server requires on writes. */
  private typed(obj: T): T {
    return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(this.type), kind: obj.kind ?? this.type.kind };
  }
}

function writeQuery(opts: WriteOptions): Query {
  return { dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager };
}

/** What client-go's metadata client accepts: the metadata-only form, else the whole object. */
function metadataAccept(kind: 'PartialObjectMetadata' | 'PartialObjectMetadataList'): string {
  return `application/json;as=${kind};g=meta.k8s.io;v=v1,application/json`;
}
