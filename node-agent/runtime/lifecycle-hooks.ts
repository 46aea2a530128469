// postStart and preStop hooks (exec, httpGet, sleep), run as kubelet's HandlerRunner runs them;
// a failure comes back as the message kubelet would log and report.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CriClient } from '../cri/index.js';
import type { Container, LifecycleHandler, Pod } from '../kube-types.js';
import { execCheck, httpCheck, httpTarget } from '../probes/handlers.js';

/** How pods are named in kubelet messages: name_namespace(uid). */
export function formatPod(pod: Pod): string {
  return `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
}

export class HookError extends Error {
  override readonly name = 'HookError';
}

/** Hooks have no deadline of their own in kubelet; this one only keeps a wedged runtime from stalling us forever. */
const HOOK_HTTP_TIMEOUT_MS = 60_000;

export async function runHook(cri: CriClient, containerId: string, pod: Pod, container: Container, h: LifecycleHandler, podIP: string, signal?: AbortSignal): Promise<void> {
  if (h.exec) {
    const cmd = h.exec.command ?? [];
    const r = await execCheck(cri, containerId, cmd, 0);
    if (!r.ok) {
      throw new HookError(`Exec lifecycle hook ([${cmd.join(' ')}]) for Container "${container.name}" in Pod "${formatPod(pod)}" failed - error: command '${cmd.join(' ')}' exited with ${r.exitCode ?? 'unknown'}: ${r.output}, message: ${JSON.stringify(r.output)}`);
    }
    return;
  }
  if (h.httpGet) {
    const r = await httpCheck(httpTarget(h.httpGet, container, podIP), HOOK_HTTP_TIMEOUT_MS);
    if (!r.ok) throw new HookError(`HTTP lifecycle hook (${h.httpGet.path ?? ''}) for Container "${container.name}" in Pod "${formatPod(pod)}" failed - error: ${r.output}`);
    return;
  }
  if (h.sleep) {
    await sleep(h.sleep.seconds * 1000, undefined, { signal }).catch(() => undefined);
    return;
  }
  if (h.tcpSocket) throw new HookError('tcpSocket is not a supported lifecycle handler');
}
