// Startup, liveness and readiness probes, one worker per container and probe type, as kubelet's
// prober workers: wait initialDelaySeconds after the container started, probe every
// periodSeconds with timeoutSeconds, flip the verdict after successThreshold/failureThreshold
// results in a row, hold liveness/startup after a failure until the container is replaced,
// and record Unhealthy events. Verdict changes wake the pod's worker.
import { logger } from '../../lib/log.js';
import type { CriClient } from '../cri/index.js';
import type { Container, Pod, Probe } from '../kube-types.js';
import type { PodEvents } from '../pods/pod-events.js';
import type { RuntimePodStatus } from '../runtime/runtime-state.js';
import { execCheck, grpcCheck, httpCheck, httpTarget, resolvePort, tcpCheck, type CheckResult } from './handlers.js';
import { agentMetrics } from '../stats/agent-metrics.js';

const log = logger('prober');

export type ProbeType = 'startup' | 'liveness' | 'readiness';
type Verdict = 'success' | 'failure' | 'unknown';

const TYPE_NAMES: Record<ProbeType, 'Startup' | 'Liveness' | 'Readiness'> = { startup: 'Startup', liveness: 'Liveness', readiness: 'Readiness' };
const INITIAL: Record<ProbeType, Verdict> = { startup: 'unknown', liveness: 'success', readiness: 'failure' };

/** What a worker needs to know about its container, refreshed by every pod sync. */
interface Observed {
  pod: Pod;
  containerId: string;
  running: boolean;
  startedAt: number;
  /** The container exited and will not be restarted (restartPolicy Never). */
  final: boolean;
  podIP: string;
}

class Worker {
  private timer: NodeJS.Timeout | undefined;
  private containerId = '';
  verdict: Verdict;
  private last: Verdict = 'unknown';
  private run = 0;
  private onHold = false;
  private stopped = false;
  private busy = false;
  observed: Observed | undefined;

  constructor(
    private readonly mgr: ProbeManager,
    readonly type: ProbeType,
    readonly container: Container,
    private readonly spec: Probe,
  ) {
    this.verdict = INITIAL[type];
  }

  /** The verdict for a container instance (the initial one until this worker has seen it). */
  verdictFor(containerId: string): Verdict {
    return containerId === this.containerId ? this.verdict : INITIAL[this.type];
  }

  observe(o: Observed): void {
    this.observed = o;
    if (!this.timer && !this.stopped && !this.busy) this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.busy = true;
    let keepGoing = true;
    try {
      keepGoing = await this.probeOnce();
    } catch (err) {
      log.warn({ container: this.container.name, type: this.type, err: (err as Error).message }, 'probe errored');
    } finally {
      this.busy = false;
    }
    if (keepGoing) this.schedule((this.spec.periodSeconds ?? 10) * 1000);
  }

  private set(v: Verdict): void {
    if (v === this.verdict) return;
    this.verdict = v;
    const uid = this.observed?.pod.metadata?.uid;
    if (uid) this.mgr.changed(uid);
  }

  /** kubelet's worker.doProbe; false stops the worker. */
  private async probeOnce(): Promise<boolean> {
    const o = this.observed;
    if (!o || !o.containerId) return true;
    if (o.containerId !== this.containerId) {
      this.containerId = o.containerId;
      this.verdict = INITIAL[this.type];
      this.last = 'unknown';
      this.run = 0;
      this.onHold = false;
    }
    if (this.onHold) return true;
    if (!o.running) {
      this.set('failure');
      return !o.final;
    }
    if (o.pod.metadata?.deletionTimestamp && this.type !== 'readiness') {
      this.set('success');
      return false;
    }
    if ((Date.now() - o.startedAt) / 1000 < (this.spec.initialDelaySeconds ?? 0)) return true;
    const started = this.mgr.isStarted(o.pod, this.container.name, this.containerId);
    if (started && this.type === 'startup') return true;
    if (!started && this.type !== 'startup') return true;

    const result = await this.check(o);
    const v: Verdict = result.ok ? 'success' : 'failure';
    agentMetrics.probe(TYPE_NAMES[this.type], result.ok ? 'successful' : 'failed', {
      name: o.pod.metadata?.name ?? '', namespace: o.pod.metadata?.namespace ?? '', uid: o.pod.metadata?.uid ?? '',
    }, this.container.name);
    if (!result.ok) this.mgr.events.container(o.pod, this.container, 'Warning', 'Unhealthy', `${TYPE_NAMES[this.type]} probe failed: ${result.output}`);
    if (v === this.last) this.run++;
    else {
      this.last = v;
      this.run = 1;
    }
    if ((v === 'failure' && this.run < (this.spec.failureThreshold ?? 3)) || (v === 'success' && this.run < (this.spec.successThreshold ?? 1))) return true;
    this.set(v);
    if (v === 'failure' && this.type !== 'readiness') {
      // Hold until the container is replaced; probing a dying container helps nobody.
      this.onHold = true;
      this.run = 0;
    }
    return true;
  }

  private async check(o: Observed): Promise<CheckResult> {
    const timeoutMs = (this.spec.timeoutSeconds ?? 1) * 1000;
    const s = this.spec;
    try {
      if (s.exec) return await execCheck(this.mgr.cri, this.containerId, s.exec.command ?? [], s.timeoutSeconds ?? 1);
      if (s.httpGet) return await httpCheck(httpTarget(s.httpGet, this.container, o.podIP), timeoutMs);
      if (s.tcpSocket) return await tcpCheck(s.tcpSocket.host || o.podIP, resolvePort(s.tcpSocket.port, this.container), timeoutMs);
      if (s.grpc) return await grpcCheck(s.grpc, o.podIP, timeoutMs);
    } catch (err) {
      return { ok: false, output: (err as Error).message };
    }
    return { ok: false, output: 'missing probe handler' };
  }
}

export class ProbeManager {
  /** uid -> "<container>/<type>" -> worker */
  private readonly workers = new Map<string, Map<string, Worker>>();

  constructor(readonly cri: CriClient, readonly events: PodEvents, private readonly onChange: (uid: string) => void) {}

  changed(uid: string): void {
    this.onChange(uid);
  }

  /** Starts, feeds and stops the pod's workers after a sync. */
  sync(pod: Pod, status: RuntimePodStatus, podIP: string): void {
    const uid = pod.metadata?.uid ?? '';
    let ws = this.workers.get(uid);
    const wanted = new Set<string>();
    const containers = [...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(pod.spec?.containers ?? [])];
    for (const c of containers) {
      const latest = status.containers.find((s) => s.name === c.name);
      for (const [type, spec] of [['startup', c.startupProbe], ['liveness', c.livenessProbe], ['readiness', c.readinessProbe]] as const) {
        if (!spec) continue;
        const key = `${c.name}/${type}`;
        wanted.add(key);
        if (!ws) this.workers.set(uid, (ws = new Map()));
        let w = ws.get(key);
        if (!w) ws.set(key, (w = new Worker(this, type, c, spec)));
        if (latest) {
          w.observe({
            pod, containerId: latest.id, running: latest.state === 'running', startedAt: latest.startedAt,
            final: latest.state === 'exited' && pod.spec?.restartPolicy === 'Never', podIP,
          });
        }
      }
    }
    for (const [key, w] of ws ?? []) {
      if (!wanted.has(key)) {
        w.stop();
        ws?.delete(key);
      }
    }
  }

  removePod(uid: string): void {
    for (const w of this.workers.get(uid)?.values() ?? []) w.stop();
    this.workers.delete(uid);
  }

  stopAll(): void {
    for (const uid of [...this.workers.keys()]) this.removePod(uid);
  }

  private worker(uid: string, name: string, type: ProbeType): Worker | undefined {
    return this.workers.get(uid)?.get(`${name}/${type}`);
  }

  /** Startup verdict: true once succeeded; undefined when there is no startup probe. */
  started(uid: string, name: string, containerId: string): boolean | undefined {
    const w = this.worker(uid, name, 'startup');
    return w ? w.verdictFor(containerId) === 'success' : undefined;
  }

  isStarted(pod: Pod, name: string, containerId: string): boolean {
    return this.started(pod.metadata?.uid ?? '', name, containerId) ?? true;
  }

  /** Readiness verdict; undefined when there is no readiness probe. */
  ready(uid: string, name: string, containerId: string): boolean | undefined {
    const w = this.worker(uid, name, 'readiness');
    return w ? w.verdictFor(containerId) === 'success' : undefined;
  }

  livenessFailed(uid: string, name: string, containerId: string): boolean {
    return this.worker(uid, name, 'liveness')?.verdictFor(containerId) === 'failure';
  }

  startupFailed(uid: string, name: string, containerId: string): boolean {
    return this.worker(uid, name, 'startup')?.verdictFor(containerId) === 'failure';
  }
}
