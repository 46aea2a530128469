// The node agent (kubelet equivalent), composed. It comes up in two phases, so static pods run
// even while the API server is unreachable (that is how a control plane can run as static pods):
//
//   1. without the API: container runtime, host facts, the pod machinery (workers, runtime,
//      volumes, probes), static pods, the runtime relist (PLEG), the agent's HTTPS server;
//   2. once the API answers: node registration and heartbeats, the pod network's CNI config
//      (from the node's pod CIDR), pods bound to the node, and removal of pods that no source
//      wants any more (deleted while the agent was away).
//
// stop() takes it all down in reverse; pods keep running and the next agent adopts them.
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { logger } from '../lib/log.js';
import { apiEventSink, EventRecorder } from '../lib/client/events.js';
import { Informer, listWatch } from '../lib/client/informer.js';
import { KubeClient } from '../lib/client/rest-client.js';
import { resources, resources as agentResources } from '../lib/client/resource-types.js';
import { readKubeconfig } from '../lib/kubeconfig.js';
import { serverVersion } from '../lib/version.js';
import { networkNameFor, writeBridgeConflist } from '../cni/bridge-conflist.js';
import { apiReads } from './api-reads.js';
import { startContainerRuntime, type ContainerRuntime } from './containerd/index.js';
import { agentPaths, type AgentConfig } from './config.js';
import type { Pod, Service } from './kube-types.js';
import { NodeManager } from './node/node-manager.js';
import { PodSources } from './pod-sources.js';
import { podEvents } from './pods/pod-events.js';
import { PodSyncer } from './pods/pod-sync.js';
import { PodWorkers } from './pods/pod-workers.js';
import { StatusManager } from './pods/status-manager.js';
import { ProbeManager } from './probes/probe-manager.js';
import { parseResolvConf, type ResolvConf } from './runtime/dns.js';
import { ImageManager } from './runtime/image-manager.js';
import { Pleg } from './runtime/pleg.js';
import { PodRuntime } from './runtime/pod-runtime.js';
import { ShellExec } from './runtime/shell-exec.js';
import { servingCertificate } from './serving-cert.js';
import { startAgentServer } from './server/index.js';
import { VolumeManager } from './volumes/volume-manager.js';

const log = logger('agent');

/** How long a new node waits for the server's node IPAM before using its default pod CIDR. */
const POD_CIDR_WAIT_MS = 10_000;

export interface RunningAgent {
  nodeName: string;
  runtime: ContainerRuntime;
  /** The port the agent's HTTPS server listens on (0 if it could not start). */
  port: number;
  /** Resolves once the node is registered and API pods are running (phase 2). */
  connected: Promise<void>;
  stop(): Promise<void>;
}

function readResolvConf(): ResolvConf {
  try {
    return parseResolvConf(readFileSync('/etc/resolv.conf', 'utf8'));
  } catch {
    return { nameservers: [], searches: [], options: [] };
  }
}

function readHostsFile(): string {
  try {
    return readFileSync('/etc/hosts', 'utf8');
  } catch {
    return '';
  }
}

export async function startAgent(cfg: AgentConfig): Promise<RunningAgent> {
  const stopper = new AbortController();
  const signal = stopper.signal;
  // Informers, timers and the runtime all listen for the one stop signal.
  setMaxListeners(64, signal);
  const runtime = await startContainerRuntime({
    dataDir: cfg.dataDir, signal, endpoint: cfg.containerRuntimeEndpoint, runDir: cfg.runDir, sandboxImage: cfg.sandboxImage,
    streamServerPort: cfg.streamServerPort, cniConfDir: cfg.cniConfDir, cniBinDir: cfg.cniBinDir,
    registriesFile: cfg.privateRegistryFile, readyTimeoutMs: cfg.runtimeReadyTimeoutMs,
  });
  const cri = runtime.cri;
  const kc = readKubeconfig(cfg.kubeconfig);
  // 16 connections (3 of them hold watches) are enough for a burst of 110 pods; each open TLS
  // socket keeps ~100 KiB of native buffers, so 64 cost ~6 MiB more RSS for no faster start.
  // Those a burst opened close after 15 s idle; heartbeats and status updates keep a few busy.
  const client = new KubeClient({ ...kc, server: cfg.server ?? kc.server }, { userAgent: `k8ts-agent/${cfg.nodeName}`, maxSockets: 16, idleSocketMs: 15_000 });
  const cleanups: Array<() => Promise<unknown> | void> = [];
  const stop = async () => {
    stopper.abort();
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'stop step failed');
      }
    }
    client.close();
    await runtime.stopped;
    log.info({ node: cfg.nodeName }, 'agent stopped');
  };

  try {
    // ---- phase 1: everything that works without the API -------------------------------------
    const recorder = new EventRecorder(apiEventSink(client), { component: 'kubelet', host: cfg.nodeName });
    cleanups.push(async () => {
      recorder.close();
      await Promise.race([recorder.flush(), new Promise((r) => setTimeout(r, 2000).unref())]);
    });
    const events = podEvents(recorder);
    const node = new NodeManager({
      client, cri, name: cfg.nodeName, dataDir: cfg.dataDir, nodeIP: cfg.nodeIP, kubeletVersion: serverVersion().gitVersion,
      kubeletPort: cfg.kubeletPort, labels: cfg.nodeLabels, statusUpdateMs: cfg.nodeStatusUpdateMs, leaseDurationSeconds: cfg.leaseDurationSeconds,
      event: (type, reason, message) => recorder.event({ kind: 'Node', name: cfg.nodeName, uid: cfg.nodeName }, type, reason, message),
    });
    await node.refreshFacts();

    const podApi = client.resource<Pod>(resources.pods);
    const reads = apiReads(client);
    const services = new Informer(listWatch(client.resource<Service>(agentResources.services)), { name: 'services' });
    const sources = new PodSources({ pods: podApi, nodeName: cfg.nodeName, manifestPath: cfg.podManifestPath, nodeUid: () => node.uid() });
    // mount/umount for every pod's volumes go through one long-lived shell (cheap forks).
    const shell = new ShellExec();
    cleanups.push(() => shell.close());
    const podRuntime = new PodRuntime(cri, new ImageManager(cri, events), events, {
      podLogsDir: cfg.podLogsDir, cgroupRoot: cfg.cgroupRoot, cgroupDriver: runtime.host.cgroupDriver,
      canLowerOomScoreAdj: runtime.host.canLowerOomScoreAdj,
      clusterDNS: { servers: cfg.clusterDNS, domain: cfg.clusterDomain },
      memoryCapacity: node.host.memoryTotal, hostResolv: readResolvConf, nodeHostsFile: readHostsFile,
    });
    const volumes = new VolumeManager(agentPaths(cfg.dataDir).pods, reads, events, shell.exec, cfg.syncFrequencyMs);
    const statuses = new StatusManager(podApi);
    let workers!: PodWorkers;
    const probes = new ProbeManager(cri, events, (uid) => workers.trigger(uid));
    const syncer = new PodSyncer(cri, podRuntime, volumes, probes, statuses, events, podApi, {
      nodeName: cfg.nodeName,
      hostIPs: () => node.hostIPs(),
      allocatable: () => node.allocatable(),
      podLogsDir: cfg.podLogsDir,
      cgroupDriver: runtime.host.cgroupDriver,
      configMap: reads.configMap,
      secret: reads.secret,
      services: () => services.cache.list(),
      statusTarget: (pod) => sources.statusTarget(pod),
      apiStatus: (pod) => sources.apiStatus(pod),
    });
    workers = new PodWorkers(syncer, cfg.syncFrequencyMs);
    cleanups.push(async () => {
      probes.stopAll();
      await workers.stop();
    });
    sources.start(workers, signal);
    const pleg = new Pleg(cri, cfg.relistMs, (uid) => workers.trigger(uid));
    pleg.start(signal);

    let port = 0;
    try {
      const server = await startAgentServer({
        context: { cri, nodeName: cfg.nodeName, pods: sources.podSource(statuses), nodeLogDir: '/var/log', startedAt: new Date() },
        address: cfg.kubeletAddress, port: cfg.kubeletPort, tls: servingCertificate(cfg, node.host.internalIP), clientCA: client.config.caCert,
      });
      cleanups.push(() => server.close());
      port = server.port;
      node.setKubeletPort(port);
    } catch (err) {
      log.warn({ port: cfg.kubeletPort, err: (err as Error).message }, 'agent server did not start');
    }

    // ---- phase 2: the API (retried until it answers) -----------------------------------------
    const connected = (async () => {
      await node.register(signal);
      if (signal.aborted) return;
      const nodeRun = node.start(signal);
      cleanups.push(() => nodeRun);
      sources.reconcileMirrors();

      // Pod network: the node's pod CIDR (from the server's node IPAM) or the default one.
      const podCIDR = (await node.waitForPodCIDR(POD_CIDR_WAIT_MS, signal)) ?? cfg.defaultPodCIDR;
      const writeNetwork = async (cidr: string) => {
        await writeBridgeConflist(cfg.cniConfDir, { name: networkNameFor(cfg.cniBridge), podCidr: cidr, bridge: cfg.cniBridge, ipamDataDir: cfg.cniIpamDataDir });
        await cri.runtime.updateRuntimeConfig(cidr).catch(() => undefined);
        log.info({ podCIDR: cidr, confDir: cfg.cniConfDir }, 'pod network configured');
      };
      await writeNetwork(podCIDR);
      node.onPodCIDR((c) => {
        if (c !== podCIDR) void writeNetwork(c);
      });

      const informerRuns = [services.run(signal), sources.api.run(signal)];
      cleanups.push(() => Promise.allSettled(informerRuns));
      await Promise.all([services.waitForSync(signal), sources.api.waitForSync(signal), sources.staticSynced()]);
      if (signal.aborted) return;

      // Pods the runtime or the disk still has but no source wants: deleted while we were away.
      // They stop with their own grace periods, side by side and without holding up the rest.
      await pleg.relist();
      const orphans = pleg.podsInRuntime().filter((p) => !workers.has(p.uid));
      void Promise.all(orphans.map(async (p) => {
        log.info({ pod: `${p.namespace}/${p.name}`, uid: p.uid }, 'removing pod no source wants');
        await syncer.forget(p.uid, { metadata: { uid: p.uid, name: p.name, namespace: p.namespace } })
          .catch((err: unknown) => log.warn({ uid: p.uid, err: (err as Error).message }, 'orphan cleanup failed'));
      })).then(async () => {
        for (const uid of await volumes.podsOnDisk()) if (!workers.has(uid)) await volumes.tearDown(uid).catch(() => undefined);
      }).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'orphan volume cleanup failed'));

      await node.updateStatus(true);
      log.info({ node: cfg.nodeName, podCIDR, port, pods: workers.uids().length, staticPods: sources.staticCount }, 'agent running');
    })();
    connected.catch((err: unknown) => {
      if (!signal.aborted) log.error({ err: (err as Error).message }, 'agent could not connect to the API');
    });
    return { nodeName: cfg.nodeName, runtime, port, connected, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The agent's default node name: the host name, lowercased (as kubelet does). */
export function defaultNodeName(): string {
  return hostname().toLowerCase();
}
