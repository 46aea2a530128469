// The request headers a backend receives: the client's, less hop-by-hop ones (RFC 9110 7.6.1,
// and whatever Connection names), plus X-Forwarded-For (IPv4 clients as a plain dotted quad, not
// Node's "::ffff:" form), -Proto, -Host, -Port and X-Real-IP. The client's own X-Forwarded-*
// are dropped, not appended to: anyone could forge them (ingress-nginx's default too). Pure.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** The address as users write it: `::ffff:10.0.0.1` is 10.0.0.1. */
export function clientAddress(remote: string | undefined): string {
  if (!remote) return '';
  return remote.startsWith('::ffff:') && remote.includes('.') ? remote.slice(7) : remote;
}

export interface ForwardInfo {
  client: string;
  proto: 'http' | 'https';
  /** The port the client connected to. */
  port: number;
}

/** Headers for the backend; with `upgrade`, Connection and Upgrade are kept (WebSocket). */
export function forwardedHeaders(headers: IncomingHttpHeaders, info: ForwardInfo, upgrade = false): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const connection = headers.connection;
  const named = connection && connection.toLowerCase() !== 'keep-alive' && connection.toLowerCase() !== 'close'
    ? new Set(connection.toLowerCase().split(',').map((s) => s.trim())) : undefined;
  for (const name in headers) {
    if (hopByHop.has(name) || named?.has(name)) continue;
    if (name.startsWith('x-forwarded-') || name === 'x-real-ip') continue;
    out[name] = headers[name];
  }
  if (upgrade) {
    out.connection = 'upgrade';
    if (headers.upgrade) out.upgrade = headers.upgrade;
  }
  out['x-forwarded-for'] = info.client;
  out['x-forwarded-proto'] = info.proto;
  if (headers.host) out['x-forwarded-host'] = headers.host;
  out['x-forwarded-port'] = String(info.port);
  out['x-real-ip'] = info.client;
  return out;
}

/** Response headers for the client: the backend's, less hop-by-hop ones. */
export function responseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) if (!hopByHop.has(name)) out[name] = headers[name];
  return out;
}
