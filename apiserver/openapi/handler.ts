// Serves /openapi/v2 (JSON or gnostic protobuf) and /openapi/v3 (an index of group-versions
// with content hashes, and one document per group-version). Documents are built on first
// request and rebuilt only when the set of resources or schemas changes; ETags answer 304 and
// hashed v3 URLs are immutable, so kubectl's caches skip the download.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { logger } from '../../lib/log.js';
import { notFoundPath } from '../api/errors.js';
import type { Registry } from '../api/registry.js';
import type { SchemaRegistry } from '../api/schema/schema-registry.js';
import { sendStatus } from '../http/respond.js';
import { buildV2, buildV3, v3IndexPath } from './documents.js';
import { allOperations } from './operations.js';
import { encodeV2 } from './protobuf.js';
import { customKindSchemaForV2 } from '../crd/openapi-v2.js';

const log = logger('openapi');

interface Cached {
  body: Buffer;
  etag: string;
}

function cached(body: Buffer): Cached {
  return { body, etag: `"${createHash('sha512').update(body).digest('hex').slice(0, 64).toUpperCase()}"` };
}

/** Everything built for one state of the registry. */
interface Snapshot {
  key: string;
  v2Json?: Cached;
  v2Proto?: Cached;
  /** "apis/apps/v1" -> document and its hash. */
  v3?: Map<string, Cached & { hash: string }>;
}

export interface PathRegistrar {
  handlePath(prefix: string, fn: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void): void;
}

export class OpenApiService {
  private snapshot: Snapshot = { key: '' };

  constructor(private readonly registry: Registry, private readonly schemas: SchemaRegistry, private readonly version: string) {}

  register(http: PathRegistrar): void {
    http.handlePath('/openapi/v2', (req, res) => this.serveV2(req, res));
    http.handlePath('/openapi/v3', (req, res) => this.serveV3Index(req, res));
    http.handlePath('/openapi/v3/', (req, res, url) => this.serveV3(req, res, url));
  }

  private current(): Snapshot {
    const key = `${this.registry.version}/${this.schemas.version}`;
    if (this.snapshot.key !== key) this.snapshot = { key };
    return this.snapshot;
  }

  private timed<T>(what: string, fn: () => T): T {
    const started = performance.now();
    const v = fn();
    log.info({ document: what, ms: Math.round(performance.now() - started) }, 'openapi document built');
    return v;
  }

  /** The Swagger 2.0 document as JSON. */
  v2Json(): Cached {
    const s = this.current();
    s.v2Json ??= this.timed('v2', () => cached(Buffer.from(JSON.stringify(this.v2Doc()))));
    return s.v2Json;
  }

  private v2Doc(): Record<string, unknown> {
    const defs = new Map(this.schemas.definitions());
    for (const name of this.schemas.customKindNames()) defs.set(name, customKindSchemaForV2(defs.get(name)!));
    return buildV2(allOperations(this.registry, this.schemas), defs, this.version);
  }

  private v2Proto(): Cached {
    const s = this.current();
    s.v2Proto ??= this.timed('v2 protobuf', () => cached(Buffer.from(encodeV2(JSON.parse(this.v2Json().body.toString('utf8')) as Record<string, unknown>))));
    return s.v2Proto;
  }

  /** Every group-version's v3 document, by index path. */
  v3Documents(): Map<string, Cached & { hash: string }> {
    const s = this.current();
    s.v3 ??= this.timed('v3', () => {
      const defs = this.schemas.definitions();
      const out = new Map<string, Cached & { hash: string }>();
      for (const gv of allOperations(this.registry, this.schemas)) {
        const body = Buffer.from(JSON.stringify(buildV3(gv, defs, this.version)));
        const c = cached(body);
        out.set(v3IndexPath(gv.group, gv.version), { ...c, hash: c.etag.slice(1, -1) });
      }
      return out;
    });
    return s.v3;
  }

  private serveV2(req: IncomingMessage, res: ServerResponse): void {
    const proto = (req.headers.accept ?? '').includes('proto-openapi.spec.v2');
    const doc = proto ? this.v2Proto() : this.v2Json();
    // Kubernetes labels the protobuf form application/octet-stream: Go's mime parser rejects the '@' of its real type.
    sendDocument(req, res, doc, proto ? 'application/octet-stream' : 'application/json', { 'Cache-Control': 'no-cache, private', Vary: 'Accept' });
  }

  private serveV3Index(req: IncomingMessage, res: ServerResponse): void {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const [p, doc] of this.v3Documents()) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${doc.hash}` };
    sendDocument(req, res, cached(Buffer.from(JSON.stringify({ paths }))), 'application/json', { 'Cache-Control': 'no-cache, private' });
  }

  private serveV3(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const p = url.pathname.slice('/openapi/v3/'.length).replace(/\/$/, '');
    const doc = this.v3Documents().get(p);
    if (!doc) {
      sendStatus(res, notFoundPath().status);
      return;
    }
    const hash = url.searchParams.get('hash');
    if (hash && hash !== doc.hash) {
      // A stale hash: point the client at the current document, as Kubernetes does.
      res.writeHead(301, { Location: `/openapi/v3/${p}?hash=${doc.hash}`, 'Cache-Control': 'no-cache, private' });
      res.end();
      return;
    }
    const headers: Record<string, string> = hash
      ? { 'Cache-Control': 'public, immutable', Expires: new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString() }
      : { 'Cache-Control': 'no-cache, private' };
    sendDocument(req, res, doc, 'application/json', headers);
  }
}

function sendDocument(req: IncomingMessage, res: ServerResponse, doc: Cached, contentType: string, headers: Record<string, string>): void {
  res.setHeader('ETag', doc.etag);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').map((s) => s.trim()).includes(doc.etag)) {
    res.writeHead(304);
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': doc.body.length });
  res.end(req.method === 'HEAD' ? undefined : doc.body);
}
