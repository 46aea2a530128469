// The node agent (kubelet equivalent), composed: container runtime, node registration and
// heartbeats, the pod network's CNI config, pod sources (API pods bound to the node, static
// pod manifests), the pod workers and everything they use, the runtime relist (PLEG), and the
// agent's HTTPS server. start() brings it up in that order; stop() takes it down in reverse.
// Pods keep running when the agent stops: the next agent adopts them.
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { mkdirSync, readFileSync } from 'node:fs';
import { logger } from '../lib/log.js';
import { isNotFound } from '../lib/client/api-error.js';
import { apiEventSink, EventRecorder } from '../lib/client/events.js';
import { Informer, listWatch } from '../lib/client/informer.js';
import { KubeClient } from '../lib/client/rest-client.js';
import { resources } from '../lib/client/resource-types.js';
import { readKubeconfig } from '../lib/kubeconfig.js';
import { ensureCA, ensureCertificate, type KeyPair } from '../lib/pki.js';
import { serverVersion } from '../apiserver/version.js';
import { networkNameFor, writeBridgeConflist } from '../cni/bridge-conflist.js';
import { startContainerRuntime, type ContainerRuntime } from './containerd/index.js';
import { agentPaths, type AgentConfig } from './config.js';
import { agentResources, type ConfigMap, type Pod, type Secret, type Service } from './kube-types.js';
import { NodeManager } from './node/node-manager.js';
import { podEvents } from './pods/pod-events.js';
import { PodSyncer } from './pods/pod-sync.js';
import { PodWorkers } from './pods/pod-workers.js';
import { StatusManager, type StatusTarget } from './pods/status-manager.js';
import { ProbeManager } from './probes/probe-manager.js';
import { parseResolvConf, type ResolvConf } from './runtime/dns.js';
import { ImageManager } from './runtime/image-manager.js';
import { Pleg } from './runtime/pleg.js';
import { ShellExec } from './runtime/shell-exec.js';
import { PodRuntime } from './runtime/pod-runtime.js';
import { isMirrorPod } from './static-pods/manifest.js';
import { MirrorPods } from './static-pods/mirror-pods.js';
import { StaticPodSource } from './static-pods/static-pod-source.js';
import { startAgentServer, type AgentServer, type PodSource } from './server/index.js';
import { VolumeManager } from './volumes/volume-manager.js';

const log = logger('agent');

/** How long a new node waits for the server's node IPAM before using its default pod CIDR. */
const POD_CIDR_WAIT_MS = 10_000;

export interface RunningAgent {
  nodeName: string;
  runtime: ContainerRuntime;
  /** The port the agent's HTTPS server listens on. */
  port: number;
  podCIDR: string;
  stop(): Promise<void>;
}

function readResolvConf(): ResolvConf {
  try {
    return parseResolvConf(readFileSync('/etc/resolv.conf', 'utf8'));
  } catch {
    return { nameservers: [], searches: [], options: [] };
  }
}

/** The serving certificate of the agent's HTTPS server: from the cluster CA when this host has it (server nodes), else self-signed. */
function servingCertificate(cfg: AgentConfig, nodeIP: string): KeyPair {
  if (cfg.tlsCertFile && cfg.tlsPrivateKeyFile) return { cert: readFileSync(cfg.tlsCertFile, 'utf8'), key: readFileSync(cfg.tlsPrivateKeyFile, 'utf8') };
  const pki = agentPaths(cfg.dataDir).pki;
  mkdirSync(pki, { recursive: true, mode: 0o700 });
  const req = { commonName: cfg.nodeName, dnsNames: [cfg.nodeName, hostname()], ips: [nodeIP, '127.0.0.1'], usage: 'server' as const };
  let ca: KeyPair;
  try {
    ca = { cert: readFileSync(`${cfg.dataDir}/pki/ca.crt`, 'utf8'), key: readFileSync(`${cfg.dataDir}/pki/ca.key`, 'utf8') };
  } catch {
    ca = ensureCA(pki, 'kubelet-ca', `${cfg.nodeName}-ca`);
  }
  return ensureCertificate(pki, 'kubelet', ca, req);
}

export async function startAgent(cfg: AgentConfig): Promise<RunningAgent> {
  const stopper = new AbortController();
  const signal = stopper.signal;
  // Informers, timers and the runtime all listen for the one stop signal.
  setMaxListeners(64, signal);
  const paths = agentPaths(cfg.dataDir);
  const runtime = await startContainerRuntime({
    dataDir: cfg.dataDir, signal, endpoint: cfg.containerRuntimeEndpoint, runDir: cfg.runDir, sandboxImage: cfg.sandboxImage,
    streamServerPort: cfg.streamServerPort, cniConfDir: cfg.cniConfDir, cniBinDir: cfg.cniBinDir,
    registriesFile: cfg.privateRegistryFile, readyTimeoutMs: cfg.runtimeReadyTimeoutMs,
  });
  const cri = runtime.cri;
  const kc = readKubeconfig(cfg.kubeconfig);
  const client = new KubeClient({ ...kc, server: cfg.server ?? kc.server }, { userAgent: `k8ts-agent/${cfg.nodeName}`, maxSockets: 64 });
  const cleanups: Array<() => Promise<void> | void> = [];
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
    const podApi = client.resource<Pod>(resources.pods);
    const recorder = new EventRecorder(apiEventSink(client), { component: 'kubelet', host: cfg.nodeName });
    cleanups.push(async () => {
      recorder.close();
      await Promise.race([recorder.flush(), new Promise((r) => setTimeout(r, 2000).unref())]);
    });
    const events = podEvents(recorder);

    // The node first: pods can only be bound to a registered node. The server's port is not
    // known until it listens, so register with the configured one and correct it after.
    const node = new NodeManager({
      client, cri, name: cfg.nodeName, dataDir: cfg.dataDir, nodeIP: cfg.nodeIP, kubeletVersion: serverVersion().gitVersion,
      kubeletPort: cfg.kubeletPort, labels: cfg.nodeLabels, statusUpdateMs: cfg.nodeStatusUpdateMs, leaseDurationSeconds: cfg.leaseDurationSeconds,
      event: (type, reason, message) => recorder.event({ kind: 'Node', name: cfg.nodeName, uid: cfg.nodeName }, type, reason, message),
    });
    await node.register(signal);
    const nodeRun = node.start(signal);
    cleanups.push(() => nodeRun);

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

    const services = new Informer(listWatch(client.resource<Service>(agentResources.services)), { name: 'services' });
    const podInformer = new Informer(listWatch(podApi, { fieldSelector: `spec.nodeName=${cfg.nodeName}` }), { name: 'pods' });
    const secrets = client.resource<Secret>(agentResources.secrets);
    const configMaps = client.resource<ConfigMap>(resources.configMaps);
    const get = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await fn();
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    };

    const images = new ImageManager(cri, events);
    // mount/umount for every pod's volumes go through one long-lived shell (cheap forks).
    const shell = new ShellExec();
    cleanups.push(() => shell.close());
    const podRuntime = new PodRuntime(cri, images, events, {
      podLogsDir: cfg.podLogsDir, cgroupRoot: cfg.cgroupRoot, cgroupDriver: runtime.host.cgroupDriver,
      canLowerOomScoreAdj: runtime.host.canLowerOomScoreAdj,
      clusterDNS: { servers: cfg.clusterDNS, domain: cfg.clusterDomain },
      memoryCapacity: node.host.memoryTotal,
      hostResolv: readResolvConf,
      nodeHostsFile: () => { try { return readFileSync('/etc/hosts', 'utf8'); } catch { return ''; } },
    });
    const volumes = new VolumeManager(paths.pods, {
      configMap: (ns, name) => get(() => configMaps.get(ns, name)),
      secret: (ns, name) => get(() => secrets.get(ns, name)),
      async token(pod, audience, expirationSeconds) {
        const body = {
          apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
          spec: {
            audiences: audience ? [audience] : [], expirationSeconds,
            boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid },
          },
        };
        const r = await client.resource(resources.serviceAccounts).createSubresource<{ status?: { token?: string; expirationTimestamp?: string } }>(
          pod.metadata?.namespace ?? '', pod.spec?.serviceAccountName || 'default', 'token', body);
        return { token: r.status?.token ?? '', expiresAt: Date.parse(r.status?.expirationTimestamp ?? '') || Date.now() + expirationSeconds * 1000 };
      },
    }, events, shell.exec, cfg.syncFrequencyMs);
    const statuses = new StatusManager(podApi);

    const staticPods = cfg.podManifestPath ? new StaticPodSource(cfg.podManifestPath, cfg.nodeName, (pods) => onStaticPods(pods)) : undefined;
    const mirrors = new MirrorPods({
      pods: podApi,
      apiPods: () => podInformer.cache.list(),
      nodeUid: () => node.node()?.metadata?.uid,
    });
    const isStatic = (pod: Pod) => !!staticPods?.current().has(pod.metadata?.uid ?? '');
    const statusTarget = (pod: Pod): StatusTarget | undefined => {
      const m = pod.metadata ?? {};
      if (!isStatic(pod)) return { namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '' };
      const mirror = mirrors.mirrorOf(pod);
      return mirror ? { namespace: m.namespace ?? '', name: m.name ?? '', uid: mirror.metadata?.uid ?? '' } : undefined;
    };
    const apiStatus = (pod: Pod) => {
      if (isStatic(pod)) return mirrors.mirrorOf(pod)?.status;
      return podInformer.cache.get(`${pod.metadata?.namespace}/${pod.metadata?.name}`)?.status ?? pod.status;
    };

    let workers!: PodWorkers;
    const probes = new ProbeManager(cri, events, (uid) => workers.trigger(uid));
    const syncer = new PodSyncer(cri, podRuntime, volumes, probes, statuses, events, podApi, {
      nodeName: cfg.nodeName,
      hostIPs: () => node.hostIPs(),
      allocatable: () => node.allocatable(),
      podLogsDir: cfg.podLogsDir,
      cgroupDriver: runtime.host.cgroupDriver,
      configMap: (ns, name) => get(() => configMaps.get(ns, name)),
      secret: (ns, name) => get(() => secrets.get(ns, name)),
      services: () => services.cache.list(),
      statusTarget,
      apiStatus,
    });
    workers = new PodWorkers(syncer, cfg.syncFrequencyMs);
    cleanups.push(async () => {
      probes.stopAll();
      await workers.stop();
    });

    let staticUids = new Set<string>();
    function onStaticPods(pods: Map<string, Pod>): void {
      for (const [uid, pod] of pods) workers.update(pod);
      for (const uid of staticUids) if (!pods.has(uid)) workers.remove(uid);
      staticUids = new Set(pods.keys());
      void mirrors.reconcile([...pods.values()]);
    }
    const reconcileMirrors = () => void mirrors.reconcile([...(staticPods?.current().values() ?? [])]).then(() => {
      for (const uid of staticUids) workers.trigger(uid);
    });
    podInformer.on({
      add: (p) => (isMirrorPod(p) ? reconcileMirrors() : workers.update(p)),
      update: (_, p) => (isMirrorPod(p) ? reconcileMirrors() : workers.update(p)),
      delete: (p) => (isMirrorPod(p) ? reconcileMirrors() : workers.remove(p.metadata?.uid ?? '')),
    });

    const informerRuns = [services.run(signal), podInformer.run(signal)];
    cleanups.push(() => Promise.allSettled(informerRuns).then(() => undefined));
    staticPods?.start(signal);
    await Promise.all([services.waitForSync(signal), podInformer.waitForSync(signal), staticPods?.waitForSync()]);

    const pleg = new Pleg(cri, cfg.relistMs, (uid) => workers.trigger(uid));
    await pleg.relist();
    // Pods the runtime or the disk still has but no source wants: deleted while we were away.
    const known = (uid: string) => workers.has(uid);
    for (const p of pleg.podsInRuntime()) {
      if (known(p.uid)) continue;
      const pod: Pod = { metadata: { uid: p.uid, name: p.name, namespace: p.namespace } };
      log.info({ pod: `${p.namespace}/${p.name}`, uid: p.uid }, 'removing pod no source wants');
      await syncer.forget(p.uid, pod).catch((err: unknown) => log.warn({ uid: p.uid, err: (err as Error).message }, 'orphan cleanup failed'));
    }
    for (const uid of await volumes.podsOnDisk()) if (!known(uid)) await volumes.tearDown(uid).catch(() => undefined);
    pleg.start(signal);

    const podSource: PodSource = {
      getPod(namespace, name) {
        const all = [...podInformer.cache.list().filter((p) => !isMirrorPod(p)), ...(staticPods?.current().values() ?? [])];
        const pod = all.find((p) => p.metadata?.namespace === namespace && p.metadata?.name === name);
        if (!pod) return undefined;
        return { ...pod, status: statuses.get(pod.metadata?.uid ?? '') ?? apiStatus(pod) ?? pod.status };
      },
      listPods() {
        return [...podInformer.cache.list().filter((p) => !isMirrorPod(p)), ...(staticPods?.current().values() ?? [])]
          .map((p) => ({ ...p, status: statuses.get(p.metadata?.uid ?? '') ?? p.status }));
      },
    };
    const tls = servingCertificate(cfg, node.host.internalIP);
    let server: AgentServer | undefined;
    try {
      server = await startAgentServer({
        context: { cri, nodeName: cfg.nodeName, pods: podSource, nodeLogDir: '/var/log', startedAt: new Date() },
        address: cfg.kubeletAddress, port: cfg.kubeletPort, tls, clientCA: client.config.caCert,
      });
    } catch (err) {
      log.warn({ port: cfg.kubeletPort, err: (err as Error).message }, 'agent server did not start');
    }
    if (server) {
      const s = server;
      cleanups.push(() => s.close());
      node.setKubeletPort(s.port);
    }
    await node.updateStatus(true);
    log.info({ node: cfg.nodeName, podCIDR, port: server?.port, pods: workers.uids().length, staticPods: staticUids.size }, 'agent running');
    return { nodeName: cfg.nodeName, runtime, port: server?.port ?? 0, podCIDR, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The agent's default node name: the host name, lowercased (as kubelet does). */
export function defaultNodeName(): string {
  return hostname().toLowerCase();
}
