// Sending an API call on to a node agent or a pod (apimachinery's UpgradeAwareHandler as the
// API server uses it): an upgrade is joined end to end once the upstream answers 101, a plain
// request is streamed both ways. Failing to reach the upstream is a Status, as Kubernetes says it.
import { unexpectedError } from '../../api/errors.js';
import type { ResourceCall } from '../../http/api-context.js';
import { completeUpgrade, dialUpgrade, forwardedHeaders, isUpgradeRequest, proxyPlain, type ProxyTarget } from '../../../lib/streaming/http-proxy.js';
import { dialErrorText, hostPortOf } from './dial-errors.js';

export async function forwardCall(call: ResourceCall, target: ProxyTarget): Promise<void> {
  const hostPort = hostPortOf(target.url);
  if (isUpgradeRequest(call.req)) {
    let result;
    try {
      result = await dialUpgrade(target, call.req.method ?? 'GET', forwardedHeaders(call.req, true));
    } catch (err) {
      throw unexpectedError(`error dialing backend: ${dialErrorText(err, hostPort)}`);
    }
    // From here on the connection belongs to the two ends: no response is written by us.
    const socket = call.req.socket;
    call.res.detachSocket(socket);
    await completeUpgrade(socket, result);
    return;
  }
  try {
    await proxyPlain(call.req, call.res, target);
  } catch (err) {
    throw unexpectedError(dialErrorText(err, hostPort));
  }
}
