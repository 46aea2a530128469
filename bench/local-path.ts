// Storage latency with local-path: from a claim's creation to Bound, and from a pod's creation
// to all containers running, for a pod with a local-path claim (WaitForFirstConsumer: the
// claim binds only after the scheduler picks the node, so both are measured from creating the
// claim and its pod together) against the same pod without a volume (the floor, same run), and
// a claim bound to a pre-made static volume (the binder alone).
//
//   node dist/bench/local-path.js [--rounds 10]   (root; builds its own environment)
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeClient } from '../lib/client/rest-client.js';
import { resources } from '../lib/client/resource-types.js';
import type { KubeObject, Pod } from '../lib/client/types.js';
import { formatStatsTable, stats } from './cri-floor.js';
import { runIfMain } from './lib/run-main.js';

const NAMESPACE = 'bench';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i > 0 ? Number(process.argv[i + 1]) : dflt;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

function pod(name: string, image: string, claim?: string): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'], ...(claim ? { volumeMounts: [{ name: 'data', mountPath: '/data' }] } : {}) }],
      ...(claim ? { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] } : {}),
    },
  };
}

function claim(name: string, cls: string, volumeName?: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: NAMESPACE },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: cls, resources: { requests: { storage: '16Mi' } }, ...(volumeName ? { volumeName } : {}) },
  } as KubeObject;
}

/** Polls until `done` holds (every 20 ms: fine enough next to the figures measured). */
async function until(done: () => Promise<boolean>, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
  return performance.now();
}

async function main(): Promise<void> {
  const { missingPrerequisites, setupAgentEnv } = await import('../test/e2e/agent-harness.js');
  const missing = missingPrerequisites();
  if (missing.length) throw new Error(`local-path needs: ${missing.join(', ')}`);
  const rounds = arg('--rounds', 10);
  const env = await setupAgentEnv({ embedded: true });
  const client = KubeClient.fromKubeconfig(env.c.kubeconfig, { userAgent: 'bench-local-path' });
  try {
    const pods = client.resource<Pod>(resources.pods);
    const claims = client.resource<KubeObject & { status?: { phase?: string } }>(resources.persistentVolumeClaims);
    const volumes = client.resource<KubeObject>(resources.persistentVolumes);
    await env.k('create', 'namespace', NAMESPACE);
    await env.k('wait', '--for=jsonpath={.secrets}', 'serviceaccount/default', '-n', NAMESPACE, '--timeout=30s').catch(() => '');
    const running = async (name: string) => {
      const p = await pods.get(NAMESPACE, name);
      const cs = p.status?.containerStatuses ?? [];
      return p.status?.phase === 'Running' && cs.length > 0 && cs.every((c) => c.state?.running);
    };
    const bound = async (name: string) => (await claims.get(NAMESPACE, name)).status?.phase === 'Bound';
    const gone = async (name: string) => pods.get(NAMESPACE, name).then(() => false, () => true);
    // Warm-up: the image is pulled and the first pod's costs are paid outside the figures.
    await pods.create(pod('warmup', env.image));
    await until(() => running('warmup'));
    await pods.delete(NAMESPACE, 'warmup');

    const plain: number[] = [];
    const withClaimPod: number[] = [];
    const withClaimBound: number[] = [];
    const staticBound: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // The floor: the same pod without a volume.
      let t0 = performance.now();
      await pods.create(pod(`plain-${i}`, env.image));
      plain.push((await until(() => running(`plain-${i}`))) - t0);

      t0 = performance.now();
      await claims.create(claim(`lp-${i}`, 'local-path'));
      await pods.create(pod(`lp-${i}`, env.image, `lp-${i}`));
      const boundAt = until(() => bound(`lp-${i}`));
      withClaimPod.push((await until(() => running(`lp-${i}`))) - t0);
      withClaimBound.push((await boundAt) - t0);

      await volumes.create({
        apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `static-${i}` },
        spec: { capacity: { storage: '16Mi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'bench-static', hostPath: { path: `${env.tmp}/static-${i}`, type: 'DirectoryOrCreate' } },
      } as KubeObject);
      t0 = performance.now();
      await claims.create(claim(`static-${i}`, 'bench-static'));
      staticBound.push((await until(() => bound(`static-${i}`))) - t0);

      for (const name of [`plain-${i}`, `lp-${i}`]) await pods.delete(NAMESPACE, name);
      await until(async () => (await gone(`plain-${i}`)) && (await gone(`lp-${i}`)));
      await claims.delete(NAMESPACE, `lp-${i}`);
      await claims.delete(NAMESPACE, `static-${i}`);
      await volumes.delete('', `static-${i}`);
    }
    console.log(`# local-path storage latency - ${rounds} rounds, busybox, 1 node (embedded agent)\n`);
    console.log(formatStatsTable({
      'pod without volume: create -> running (floor)': stats(plain),
      'pod with local-path claim: create -> running': stats(withClaimPod),
      'local-path claim: create -> Bound': stats(withClaimBound),
      'static PV claim: create -> Bound': stats(staticBound),
    }));
    console.log(`\npod with claim p50 / floor p50: ${(stats(withClaimPod).p50 / stats(plain).p50).toFixed(2)}x`);
  } finally {
    client.close();
    const left = await env.teardown();
    if (left.length) console.error('teardown problems:', left);
  }
}

runIfMain(import.meta.url, main);
