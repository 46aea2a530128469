// GET /logs/...: the node's log directory, browsable the way Go's http.FileServer shows it
// (what `kubectl get --raw /api/v1/nodes/<node>/proxy/logs/` prints on a real node).
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { replyText, type AgentContext, type Connection } from './context.js';

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');

/** The directory listing body: one link per entry, directories with a trailing slash. */
export function listingHtml(entries: { name: string; dir: boolean }[]): string {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines = sorted.map((e) => {
    const name = e.dir ? `${e.name}/` : e.name;
    return `<a href="${escapeHtml(encodeURI(name).replace(/\?/g, '%3F').replace(/#/g, '%23'))}">${escapeHtml(name)}</a>\n`;
  });
  return `<pre>\n${lines.join('')}</pre>\n`;
}

export async function serveNodeLogs(ctx: AgentContext, conn: Connection, path: string): Promise<void> {
  if (conn.kind !== 'plain') return replyText(conn, 400, 'logs do not upgrade');
  const { res } = conn;
  if (conn.req.method !== 'GET' && conn.req.method !== 'HEAD') return replyText(conn, 405, 'Method Not Allowed');
  const root = await realpath(ctx.nodeLogDir).catch(() => resolve(ctx.nodeLogDir));
  const wanted = resolve(root, `.${decodeURIComponent(path)}`);
  // Symlinks may point anywhere: judge the resolved path, not the requested one.
  const real = await realpath(wanted).catch(() => undefined);
  if (!real || (real !== root && !real.startsWith(root + sep))) return replyText(conn, 404, '404 page not found\n');
  const st = await stat(real);
  if (st.isDirectory()) {
    if (!path.endsWith('/')) {
      res.writeHead(301, { Location: `${conn.url.pathname}/` });
      res.end();
      return;
    }
    const entries = await readdir(real, { withFileTypes: true });
    const body = listingHtml(entries.map((e) => ({ name: e.name, dir: e.isDirectory() })));
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': st.size });
  if (conn.req.method === 'HEAD') return void res.end();
  await new Promise<void>((done) => {
    const file = createReadStream(join(real));
    file.once('error', () => {
      res.destroy();
      done();
    });
    res.once('close', () => {
      file.destroy();
      done();
    });
    file.pipe(res);
  });
}
