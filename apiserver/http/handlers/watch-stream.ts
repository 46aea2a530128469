// Streaming a watch: newline-delimited JSON events, bookmarks on a shared ticker, a server
// timeout, and slow clients cut off before they hold unbounded memory.
import { everyField } from '../../api/selectors/fields.js';
import { parseFieldSelector } from '../../api/selectors/fields.js';
import { encodeStatus, StatusError } from '../../api/errors.js';
import { decoded } from '../../registry/decoded.js';
import { parseListQuery, selectableFields } from '../../registry/list-query.js';
import { watchResource, type WatchEventType } from '../../registry/watch.js';
import type { Store, KV } from '../../storage/interfaces.js';
import type { ResourceCall } from '../resource-call.js';
import { negotiateOutput, type Output } from '../negotiate.js';
import { encodeBody, type Renderer } from '../render.js';
import { includeObject } from './read.js';

/** A watcher buffering more than this is too slow to keep up and is closed. */
const maxBufferedBytes = 32 * 1024 * 1024;
const bookmarkIntervalMs = 60_000;

interface Stream {
  /** Queues a line behind the events already queued, so a bookmark never overtakes them. */
  write: (line: string) => void;
  /** The object of a BOOKMARK event at a revision, in the negotiated representation. */
  bookmark: (revision: number) => object;
  bookmarks: boolean;
}

const streams = new Set<Stream>();
let ticker: NodeJS.Timeout | undefined;
let tickerStore: Store | undefined;

function startTicker(store: Store): void {
  tickerStore = store;
  if (ticker) return;
  ticker = setInterval(() => {
    const rev = tickerStore?.revision() ?? 0;
    for (const s of streams) {
      if (s.bookmarks) s.write(JSON.stringify({ type: 'BOOKMARK', object: s.bookmark(rev) }) + '\n');
    }
  }, bookmarkIntervalMs);
  ticker.unref();
}

/** Number of open watch streams (for metrics and tests). */
export function openWatchCount(): number {
  return streams.size;
}

export async function watchObjects(call: ResourceCall): Promise<void> {
  const { res, req, rs, renderer, url, info, api } = call;
  const output = negotiateOutput(req.headers.accept, ['table', 'partial']);
  const q = parseListQuery(rs.def, url.searchParams, true);
  if (info.name) {
    // Watching one object is a watch on the collection narrowed to its name.
    const byName = parseFieldSelector(`metadata.name=${info.name}`, selectableFields(rs.def));
    q.fieldSelector = q.fieldSelector === everyField ? byName : parseFieldSelector(
      [...q.fieldSelector.requirements.map((r) => `${r.field}${r.op}${r.value}`), `metadata.name=${info.name}`].join(','),
      selectableFields(rs.def),
    );
  }
  const encode = frameEncoder(renderer, output, includeObject(url));
  // As Kubernetes converts every event's object, bookmarks included, for a metadata-only watch.
  const bookmark = (rev: number, annotations?: Record<string, string>) => {
    const b = renderer.bookmark(rev, annotations);
    return output.kind === 'partial' ? renderer.partial(b, output.metaVersion) : b;
  };
  const stream: Stream = { write: (line) => write(line), bookmark, bookmarks: q.allowWatchBookmarks };
  let closed = false;
  let watcher: { stop(): void } | undefined;
  // Lines written in one run of microtasks (the events of one synced batch, an initial list) go
  // out as one chunk, as Kubernetes flushes a watch only once its queue is empty: one write for
  // the server and one chunk for the client to parse instead of one per event.
  let lines: string[] = [];
  const flush = () => {
    if (lines.length === 0) return;
    const chunk = lines.length === 1 ? lines[0] : lines.join('');
    lines = [];
    res.write(chunk);
  };
  const close = () => {
    if (closed) return;
    closed = true;
    watcher?.stop();
    streams.delete(stream);
    clearTimeout(timer);
    flush();
    res.end();
  };
  const timeoutMs = (q.timeoutSeconds ?? 1800 * (1 + Math.random())) * 1000;
  const timer = setTimeout(close, timeoutMs);
  req.on('close', close);
  res.writeHead(200, { 'Content-Type': output.contentType, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const write = (line: string) => {
    if (closed) return;
    lines.push(line);
    if (lines.length > 1) return;
    queueMicrotask(() => {
      if (closed) return;
      flush();
      if (res.writableLength > maxBufferedBytes) close();
    });
  };
  try {
    watcher = await watchResource(rs, api.store, info.namespace, q, {
      event: (type, kv) => write(encode(type, kv)),
      initialEventsEnd: (rev) => write(JSON.stringify({
        type: 'BOOKMARK', object: bookmark(rev, { 'k8s.io/initial-events-end': 'true' }),
      }) + '\n'),
    });
  } catch (err) {
    if (err instanceof StatusError) {
      write(`{"type":"ERROR","object":${encodeStatus(err.status)}}\n`);
      close();
      return;
    }
    close();
    throw err;
  }
  if (closed) {
    watcher.stop();
    return;
  }
  streams.add(stream);
  startTicker(api.store);
}

/** How one event becomes a line on the wire, for the negotiated representation. */
function frameEncoder(renderer: Renderer, output: Output, include: ReturnType<typeof includeObject>) {
  if (output.kind === 'table') {
    let first = true;
    return (type: WatchEventType, kv: KV) => {
      const table = renderer.table([decoded(kv)], undefined, output, include, !first);
      first = false;
      return JSON.stringify({ type, object: table }) + '\n';
    };
  }
  if (output.kind === 'partial') {
    if (output.encoding === 'json') return (type: WatchEventType, kv: KV) => renderer.partialFrame(type, kv, output.metaVersion);
    return (type: WatchEventType, kv: KV) => encodeBody({ type, object: renderer.partial(renderer.view(decoded(kv)), output.metaVersion) }, 'yaml') + '---\n';
  }
  if (output.encoding === 'yaml') {
    return (type: WatchEventType, kv: KV) => encodeBody({ type, object: JSON.parse(renderer.json(kv)) }, 'yaml') + '---\n';
  }
  return (type: WatchEventType, kv: KV) => renderer.frame(type, kv);
}
