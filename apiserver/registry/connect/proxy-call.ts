// Sending an API call on to a node agent or a pod (apimachinery's UpgradeAwareHandler as the
// API server uses it): an upgrade is joined end to end once the upstream answers 101, a plain
// request is streamed both ways. Failing to reach the upstream is a Status, as Kubernetes says it.
import { unexpectedError } from '../../api/errors.js';
import type { Connection } from '../subresource.js';
import { completeUpgrade, dialUpgrade, forwardedHeaders, isUpgradeRequest, proxyPlain, type ProxyTarget } from '../../../lib/streaming/http-proxy.js';
import { dialErrorText, hostPortOf } from './dial-errors.js';

export async function forwardCall(conn: Connection, target: ProxyTarget): Promise<void> {
  const hostPort = hostPortOf(target.url);
  if (isUpgradeRequest(conn.req)) {
    let result;
    try {
      result = await dialUpgrade(target, conn.req.method ?? 'GET', forwardedHeaders(conn.req, true));
    } catch (err) {
      throw unexpectedError(`error dialing backend: ${dialErrorText(err, hostPort)}`);
    }
    // From here on the connection belongs to the two ends: no response is written by us.
    const socket = conn.req.socket;
    conn.res.detachSocket(socket);
    await completeUpgrade(socket, result);
    return;
  }
  try {
    await proxyPlain(conn.req, conn.res, target);
  } catch (err) {
    throw unexpectedError(dialErrorText(err, hostPort));
  }
}
