// What the agent server's handlers share, and the two ways a request arrives: as a plain
// request with a response to write, or as an upgrade with the raw connection.
import type { FsPaths } from '../stats/fs-snapshot.js';
import type { DirectoryUsageCache } from '../stats/fs-stats.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { CriClient } from '../cri/index.js';
import type { Pod } from '../../lib/client/types.js';
import { writeRawResponse } from '../../lib/streaming/http-proxy.js';
import type { ResourceCollector } from '../stats/collector.js';

/** The pods this node runs, as the kubelet knows them (spec, and the status it reports). */
export interface PodSource {
  getPod(namespace: string, name: string): Pod | undefined;
  listPods(): Pod[];
}

export interface AgentContext {
  cri: CriClient;
  nodeName: string;
  pods: PodSource;
  /** Served under /logs/. */
  nodeLogDir: string;
  startedAt: Date;
  /** CPU and memory of the node, pods and containers (/metrics/resource, /stats/summary). */
  resources: ResourceCollector;
  /** Where the filesystem figures of /stats/summary are read (none: they are left out). */
  filesystems?: { paths: FsPaths; dirs: DirectoryUsageCache };
}

export type Connection =
  | { kind: 'plain'; req: IncomingMessage; res: ServerResponse; url: URL }
  | { kind: 'upgrade'; req: IncomingMessage; socket: Duplex; head: Buffer; url: URL };

/** Answers with a plain-text error, whichever way the request came. */
export function replyText(conn: Connection, code: number, message: string, contentType = 'text/plain; charset=utf-8'): void {
  if (conn.kind === 'upgrade') {
    writeRawResponse(conn.socket, code, STATUS_CODES[code] ?? '', message);
    return;
  }
  if (conn.res.headersSent) {
    conn.res.end();
    return;
  }
  conn.res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(message) });
  conn.res.end(message);
}

export function replyJson(conn: Connection, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  if (conn.kind === 'upgrade') {
    writeRawResponse(conn.socket, code, STATUS_CODES[code] ?? '', text, 'application/json');
    return;
  }
  conn.res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  conn.res.end(text);
}
