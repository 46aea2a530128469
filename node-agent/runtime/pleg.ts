// The pod lifecycle event generator: notices what changed in the runtime behind the agent's
// back (a container exited, a sandbox died) and wakes the pod's worker. containerd 1.6 has no
// event stream, so - like kubelet's generic PLEG - it relists sandboxes and containers every
// second and diffs; where GetContainerEvents exists, its events wake pods at once as well.
import { logger } from '../../lib/log.js';
import { isUnimplemented, type CriClient } from '../cri/index.js';
import { POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL } from './labels.js';

const log = logger('pleg');

/** Per pod UID: "<id>=<state>" of every sandbox and container, sorted. */
export function fingerprints(
  sandboxes: { id: string; state: string; labels: Record<string, string> }[],
  containers: { id: string; state: string; labels: Record<string, string> }[],
): Map<string, string> {
  const parts = new Map<string, string[]>();
  for (const x of [...sandboxes, ...containers]) {
    const uid = x.labels[POD_UID_LABEL];
    if (!uid) continue;
    let p = parts.get(uid);
    if (!p) parts.set(uid, (p = []));
    p.push(`${x.id}=${x.state}`);
  }
  return new Map([...parts].map(([uid, p]) => [uid, p.sort().join(',')]));
}

/** UIDs whose fingerprint changed, appeared or disappeared. */
export function changedPods(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [uid, fp] of after) if (before.get(uid) !== fp) out.push(uid);
  for (const uid of before.keys()) if (!after.has(uid)) out.push(uid);
  return out;
}

export interface PodIdentity {
  uid: string;
  name: string;
  namespace: string;
}

export class Pleg {
  private last = new Map<string, string>();
  private identities = new Map<string, PodIdentity>();
  private lastRelist = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Whether the runtime streams container events (false on containerd 1.6). */
  evented = false;

  constructor(
    private readonly cri: CriClient,
    private readonly periodMs: number,
    private readonly onChange: (uid: string) => void,
  ) {}

  /** Every pod the runtime has anything of, as of the last relist. */
  podsInRuntime(): PodIdentity[] {
    return [...this.identities.values()];
  }

  /** When the last relist finished (ms since the epoch), for health reporting. */
  get lastRelistAt(): number {
    return this.lastRelist;
  }

  async relist(): Promise<void> {
    const [sandboxes, containers] = await Promise.all([this.cri.runtime.listPodSandbox(), this.cri.runtime.listContainers()]);
    const now = fingerprints(sandboxes, containers);
    const changed = changedPods(this.last, now);
    this.last = now;
    const ids = new Map<string, PodIdentity>();
    for (const x of [...sandboxes, ...containers]) {
      const uid = x.labels[POD_UID_LABEL];
      if (uid && !ids.has(uid)) ids.set(uid, { uid, name: x.labels[POD_NAME_LABEL] ?? '', namespace: x.labels[POD_NAMESPACE_LABEL] ?? '' });
    }
    this.identities = ids;
    this.lastRelist = Date.now();
    for (const uid of changed) this.onChange(uid);
  }

  start(signal: AbortSignal): void {
    const tick = async () => {
      if (signal.aborted) return;
      try {
        await this.relist();
      } catch (err) {
        if (!signal.aborted) log.warn({ err: (err as Error).message }, 'relist failed');
      }
      if (!signal.aborted) this.timer = setTimeout(tick, this.periodMs).unref();
    };
    void tick();
    signal.addEventListener('abort', () => clearTimeout(this.timer), { once: true });
    void this.watchEvents(signal);
  }

  private async watchEvents(signal: AbortSignal): Promise<void> {
    try {
      await this.cri.runtime.getContainerEvents((ev) => {
        const uid = ev.pod_sandbox_status?.labels?.[POD_UID_LABEL];
        if (uid) this.onChange(uid);
      }, signal);
      this.evented = true;
    } catch (err) {
      if (isUnimplemented(err)) log.info({}, 'runtime has no container events: relisting every second');
      else if (!signal.aborted) log.debug({ err: (err as Error).message }, 'container event stream ended');
    }
  }
}
