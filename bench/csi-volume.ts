// Pod startup with a CSI volume against the same pod without one, through the whole system (API,
// scheduler, agent, CSI gRPC, containerd), beside the CRI floor measured in the same run. The
// driver is the tests' hostpath CSI driver (a real CSI server whose mounts are bind mounts), so
// the difference is the CSI machinery: driver lookup, NodeStage/NodePublish over gRPC, the mounts.
// NFS itself cannot be measured on a host without an NFS client (docs/benchmarks.md says where).
//
//   node dist/bench/csi-volume.js [--pods 20]   (root; builds its own environment)
import { join } from 'node:path';
import { KubeClient } from '../lib/client/rest-client.js';
import { resources } from '../lib/client/resource-types.js';
import type { Pod } from '../lib/client/types.js';
import { connectCri } from '../node-agent/cri/index.js';
import { formatStatsTable, measurePodStartFloor, stats } from './cri-floor.js';
import { RunningWatcher } from './pod-startup.js';
import { runIfMain } from './lib/run-main.js';

const NAMESPACE = 'bench';
const DRIVER = 'hostpath.bench.k8ts.io';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i > 0 ? Number(process.argv[i + 1]) : dflt;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

type Kind = 'none' | 'inline' | 'pvc';

function pod(name: string, image: string, kind: Kind, i: number): Pod {
  const volumes = kind === 'inline' ? [{ name: 'v', csi: { driver: DRIVER } }]
    : kind === 'pvc' ? [{ name: 'v', persistentVolumeClaim: { claimName: `claim-${i}` } }] : [];
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, labels: { bench: 'csi' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'], volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: '/v' })) }],
      volumes,
    },
  };
}

async function main(): Promise<void> {
  const { missingPrerequisites, setupAgentEnv } = await import('../test/e2e/agent-harness.js');
  const { startHostpathDriver } = await import('../test/e2e/csi-hostpath-driver.js');
  const missing = missingPrerequisites();
  if (missing.length) throw new Error(`csi-volume needs: ${missing.join(', ')}`);
  const n = arg('--pods', 20);
  const env = await setupAgentEnv({ syncFrequency: '1m' });
  const cri = connectCri('unix://' + env.criSocket);
  const client = KubeClient.fromKubeconfig(env.c.kubeconfig, { userAgent: 'bench-csi' });
  const driver = await startHostpathDriver({ name: DRIVER, nodeId: env.nodeName, dir: join(env.tmp, 'hostpath'), registryDir: join(env.tmp, 'data', 'agent', 'plugins_registry') });
  try {
    await env.k('create', 'namespace', NAMESPACE);
    await env.apply(`apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata: {name: ${DRIVER}}
spec: {attachRequired: false, volumeLifecycleModes: [Persistent, Ephemeral]}`);
    // Hand-bound PVs and claims: binding is not what is measured.
    for (let i = 0; i < n; i++) {
      await env.apply(`apiVersion: v1
kind: PersistentVolume
metadata: {name: bench-pv-${i}}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  claimRef: {namespace: ${NAMESPACE}, name: claim-${i}}
  csi: {driver: ${DRIVER}, volumeHandle: vol-${i}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim-${i}, namespace: ${NAMESPACE}}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, volumeName: bench-pv-${i}, storageClassName: ""}`);
      await env.k('patch', 'pvc', `claim-${i}`, '-n', NAMESPACE, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Bound"}}');
    }
    await cri.image.pullImage({ image: env.image });
    const floor = await measurePodStartFloor({ cri, image: env.image, pods: 10, logRoot: join(env.tmp, 'floor-logs'), cgroupParent: `/k8ts-ag-${env.id}/floor` });
    const pods = client.resource<Pod>(resources.pods);
    const watcher = new RunningWatcher(client);
    await watcher.start();
    await pods.create(pod('warmup', env.image, 'none', 0));
    await watcher.waitFor(['warmup'], 60_000);
    const samples: Record<Kind, number[]> = { none: [], inline: [], pvc: [] };
    // Interleaved, so drift over the run weighs on every kind alike.
    for (let i = 0; i < n; i++) {
      for (const kind of ['none', 'inline', 'pvc'] as const) {
        const name = `${kind}-${i}`;
        const t0 = performance.now();
        await pods.create(pod(name, env.image, kind, i));
        await watcher.waitFor([name], 60_000);
        samples[kind].push((watcher.seenRunning.get(name) as number) - t0);
      }
    }
    await watcher.close();
    const calls = driver.calls.filter((c) => c.method === 'NodePublishVolume').length;
    console.log(`# Pod startup with a CSI volume (hostpath test driver over gRPC, bind mounts), ${n} pods of each kind, 1 node\n`);
    console.log(formatStatsTable({
      'CRI floor (sandbox+container)': floor.total,
      'API, no volume': stats(samples.none),
      'API, inline CSI volume (publish)': stats(samples.inline),
      'API, CSI PV claim (stage+publish)': stats(samples.pvc),
    }));
    console.log(`\nNodePublishVolume calls: ${calls}; p50 cost of the volume: inline +${Math.round(stats(samples.inline).p50 - stats(samples.none).p50)} ms, PV +${Math.round(stats(samples.pvc).p50 - stats(samples.none).p50)} ms`);
    await pods.deleteCollection(NAMESPACE, { labelSelector: 'bench=csi' });
    await pods.delete(NAMESPACE, 'warmup').catch(() => undefined);
    for (let i = 0; i < 120 && (await pods.list(NAMESPACE)).items.length; i++) await new Promise((r) => setTimeout(r, 500));
  } finally {
    await driver.stop();
    client.close();
    cri.close();
    const left = await env.teardown();
    if (left.length) console.error('teardown problems:', left);
  }
}

runIfMain(import.meta.url, main);
