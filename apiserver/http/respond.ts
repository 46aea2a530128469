// Writing responses: objects in the negotiated encoding, and every error as a Status.
import type { ServerResponse } from 'node:http';
import { encodeStatus, internalError, StatusError, type Status } from '../api/errors.js';
import { indentJson } from '../../lib/json-indent.js';
import { logger } from '../../lib/log.js';
import { parseBool } from '../../lib/parse-bool.js';
import { encodeBody } from './render.js';
import type { Output } from './negotiate.js';

const log = logger('apiserver');

export function send(res: ServerResponse, code: number, body: string, contentType = 'application/json'): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const headers: Record<string, string | number> = {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache, private',
  };
  // A refused oversized body is never read to its end: the connection cannot be reused.
  if (code === 413) headers.Connection = 'close';
  res.writeHead(code, headers);
  res.end(body);
}

export function sendOutput(res: ServerResponse, code: number, body: string | object, output: Output): void {
  if (output.encoding === 'json' && wantsPretty(res)) {
    send(res, code, indentJson(typeof body === 'string' ? body : JSON.stringify(body)), output.contentType);
    return;
  }
  send(res, code, encodeBody(body, output.encoding), output.contentType);
}

/**
 * Whether the client gets indented JSON, as Kubernetes decides: `pretty` read with
 * strconv.ParseBool (a value it refuses is false), else yes for curl, Wget and browsers.
 * Indented JSON is written as json.MarshalIndent writes it: no newline at the end.
 */
function wantsPretty(res: ServerResponse): boolean {
  const req = res.req as ServerResponse['req'] | undefined;
  if (!req) return false;
  const url = req.url ?? '';
  const query = url.indexOf('?');
  if (query >= 0 && url.includes('pretty', query)) {
    const v = new URLSearchParams(url.slice(query + 1)).get('pretty');
    if (v) return parseBool(v) ?? false;
  }
  const agent = req.headers['user-agent'] ?? '';
  return agent.startsWith('curl') || agent.startsWith('Wget') || agent.startsWith('Mozilla/5.0');
}

export function sendStatus(res: ServerResponse, status: Status): void {
  // As Kubernetes does, a Status that asks to retry says when in the header clients read.
  const retry = status.details?.retryAfterSeconds;
  if (retry && !res.headersSent) res.setHeader('Retry-After', String(retry));
  // Field order, escaping and the final newline as Kubernetes' encoder writes them.
  const json = encodeStatus(status);
  send(res, status.code || 200, wantsPretty(res) ? indentJson(json) : `${json}\n`);
}

/** Any thrown value becomes a Status; unexpected ones are logged and reported as 500. */
export function sendError(res: ServerResponse, err: unknown, context?: Record<string, unknown>): void {
  if (err instanceof StatusError) {
    sendStatus(res, err.status);
    return;
  }
  log.error({ err, ...context }, 'request failed');
  sendStatus(res, internalError(err).status);
}

/** Adds `Warning: 299 - "..."` headers, as Kubernetes returns validation warnings. */
export function addWarnings(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  const existing = res.getHeader('Warning');
  const list = Array.isArray(existing) ? existing : existing ? [String(existing)] : [];
  res.setHeader('Warning', [...list, ...warnings.map((w) => `299 - ${JSON.stringify(w)}`)]);
}
