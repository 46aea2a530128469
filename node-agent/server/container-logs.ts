// GET /containerLogs/{namespace}/{pod}/{container}: the container's CRI log file, formatted and
// optionally followed, with the kubelet's answers when there is nothing to read.
import { access, constants } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { isContainerRunning } from './runtime-lookup.js';
import { replyText, type AgentContext, type Connection } from './context.js';
import { logOptionsFromQuery, LogOptionsError, type LogOptions } from '../streaming/cri-log.js';
import { ContainerLogError, logContainerId, type LogPodStatus } from '../streaming/container-log-status.js';
import { readContainerLog } from '../streaming/log-file.js';
import { logger } from '../../lib/log.js';

const log = logger('agent-server');

export async function serveContainerLogs(ctx: AgentContext, conn: Connection, namespace: string, podName: string, container: string): Promise<void> {
  if (conn.kind !== 'plain') return replyText(conn, 400, 'logs do not upgrade');
  let opts: LogOptions;
  try {
    opts = logOptionsFromQuery(conn.url.searchParams);
  } catch (err) {
    if (!(err instanceof LogOptionsError)) throw err;
    if (err.message === 'Invalid request.') return replyText(conn, 422, '{"message": "Invalid request."}');
    return replyText(conn, 400, '{"message": "Unable to decode query."}');
  }
  const pod = ctx.pods.getPod(namespace, podName);
  if (!pod) return replyText(conn, 404, `pod ${JSON.stringify(podName)} does not exist\n`);
  const spec = pod.spec;
  const names = [...(spec?.containers ?? []), ...(spec?.initContainers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c) => c.name);
  if (!names.includes(container)) return replyText(conn, 404, `container ${JSON.stringify(container)} not found in pod ${JSON.stringify(podName)}\n`);

  let id: string;
  try {
    id = logContainerId(podName, pod.status as LogPodStatus | undefined, container, opts.previous);
  } catch (err) {
    if (err instanceof ContainerLogError) return replyText(conn, 400, err.message);
    throw err;
  }
  const status = (await ctx.cri.runtime.containerStatus(id).catch(() => undefined))?.status;
  if (!status?.log_path) return replyText(conn, 400, `failed to get container status ${JSON.stringify(id)}: container not found`);

  const { res, req } = conn;
  const abort = new AbortController();
  res.on('error', () => abort.abort());
  res.once('close', () => abort.abort());
  req.once('close', () => abort.abort());
  try {
    await access(status.log_path, constants.R_OK);
  } catch (err) {
    return replyText(conn, 500, `failed to open log file ${JSON.stringify(status.log_path)}: ${(err as Error).message}`);
  }
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  try {
    const chunks = readContainerLog(status.log_path, opts, { signal: abort.signal, stillRunning: () => isContainerRunning(ctx.cri, id) });
    for await (const chunk of chunks) {
      if (abort.signal.aborted) break;
      await write(res, chunk);
    }
    res.end();
  } catch (err) {
    log.warn({ err, namespace, pod: podName, container }, 'log stream failed');
    res.destroy();
  }
}

function write(res: ServerResponse, chunk: Buffer): Promise<void> {
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
