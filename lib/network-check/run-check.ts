// `k8ts check network`: a short-lived namespace with a server pod and a client pod on every Ready
// node and a Service over the server pods; the client pods probe every server pod, the Service
// and its DNS name (probe.ts) and print what passed; their logs become the matrix and the likely
// causes (diagnose.ts). Everything it made goes with the namespace, whatever happens.
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../client/rest-client.js';
import { resources } from '../client/resource-types.js';
import type { KubeObject, Node, Pod } from '../client/types.js';
import { clientCommand, parseClientLog, serverCommand, SERVER_PORT, type ClientResult } from './probe.js';
import type { CheckResults, NodeFacts } from './diagnose.js';

const FLANNEL = 'flannel.alpha.coreos.com/';

export interface NetworkCheckOptions {
  client: KubeClient;
  /** An image with sh, httpd, wget and nslookup (busybox); default: a busybox every node has. */
  image?: string;
  timeoutMs: number;
  clusterDomain: string;
  /** Progress lines for the user. */
  say?: (line: string) => void;
}

type Service = KubeObject & { spec?: { clusterIP?: string } };

const isReady = (n: Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export function nodeFacts(n: Node): NodeFacts {
  const a = n.metadata?.annotations ?? {};
  return {
    name: n.metadata?.name ?? '',
    internalIP: n.status?.addresses?.find((x) => x.type === 'InternalIP')?.address,
    podCIDR: n.spec?.podCIDR,
    backend: a[`${FLANNEL}backend-type`],
    publicIP: a[`${FLANNEL}public-ip`],
    hasBackendData: !!a[`${FLANNEL}backend-data`],
  };
}

/** A busybox image that every node reports in status.images, so nothing needs pulling. */
export function commonBusybox(nodes: Node[]): string | undefined {
  const sets = nodes.map((n) => new Set((n.status?.images ?? []).flatMap((i) => i.names ?? []).filter((x) => x.includes('busybox') && !x.includes('@'))));
  const [first, ...rest] = sets;
  return [...(first ?? [])].sort().find((img) => rest.every((s) => s.has(img)));
}

function pod(name: string, ns: string, node: string, image: string, command: string[], labels: Record<string, string>, restartPolicy: 'Always' | 'Never'): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels },
    spec: {
      nodeName: node, restartPolicy, terminationGracePeriodSeconds: 0, tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'check', image, imagePullPolicy: 'IfNotPresent', command, ...(restartPolicy === 'Always' ? { ports: [{ containerPort: SERVER_PORT }] } : {}) }],
    },
  };
}

async function until<T>(deadline: number, fn: () => Promise<T | undefined>): Promise<T | undefined> {
  for (;;) {
    const v = await fn();
    if (v !== undefined || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function podLog(client: KubeClient, ns: string, name: string): Promise<string> {
  const res = await client.stream({ method: 'GET', path: `/api/v1/namespaces/${ns}/pods/${name}/log`, accept: 'text/plain' });
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Why a pod is not running yet, from its container state. */
const waitingWhy = (p: Pod | undefined) => {
  const w = p?.status?.containerStatuses?.[0]?.state?.waiting;
  return w ? `${w.reason ?? 'waiting'}${w.message ? `: ${w.message}` : ''}` : p?.status?.phase ?? 'not created';
};

export async function runNetworkCheck(o: NetworkCheckOptions): Promise<CheckResults> {
  const say = o.say ?? (() => undefined);
  const nodesApi = o.client.resource<Node>(resources.nodes);
  const podsApi = o.client.resource<Pod>(resources.pods);
  const nodes = (await nodesApi.list()).items.filter(isReady).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  if (!nodes.length) throw new Error('no Ready node to check: kubectl get nodes');
  const image = o.image ?? commonBusybox(nodes);
  if (!image) throw new Error('no busybox image on every node: pass --image with an image that has sh, httpd, wget and nslookup (e.g. busybox)');
  const ns = `k8ts-check-network-${randomBytes(3).toString('hex')}`;
  const names = nodes.map((n) => n.metadata?.name ?? '');
  const deadline = Date.now() + o.timeoutMs;
  await o.client.resource<KubeObject>(resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  try {
    say(`checking ${names.length} node(s) with ${image} in namespace ${ns}`);
    const service = await o.client.resource<Service>(resources.services).create({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'check', namespace: ns },
      spec: { selector: { app: 'k8ts-check-server' }, ports: [{ port: 80, targetPort: SERVER_PORT }] },
    } as Service);
    const serviceIP = service.spec?.clusterIP ?? '';
    await Promise.all(names.map((node, i) => podsApi.create(pod(`server-${i}`, ns, node, image, serverCommand(), { app: 'k8ts-check-server' }, 'Always'))));
    const notRun = new Map<string, string>();
    const servers = await until(deadline, async () => {
      const list = (await podsApi.list(ns, { labelSelector: 'app=k8ts-check-server' })).items;
      return list.length === names.length && list.every((p) => p.status?.podIP && p.status.phase === 'Running') ? list : undefined;
    });
    const targets = [];
    for (const [i, node] of names.entries()) {
      const p = servers?.find((s) => s.metadata?.name === `server-${i}`) ?? await podsApi.get(ns, `server-${i}`).catch(() => undefined);
      if (p?.status?.podIP && p.status.phase === 'Running') targets.push({ node, ip: p.status.podIP });
      else notRun.set(node, `server pod: ${waitingWhy(p)}`);
    }
    // A moment for the Service's endpoints and DNS to follow the servers.
    await new Promise((r) => setTimeout(r, 2000));
    const command = clientCommand(targets, serviceIP, `check.${ns}.svc.${o.clusterDomain}`);
    const clients = names.filter((n) => !notRun.has(n));
    await Promise.all(clients.map((node) => podsApi.create(pod(`client-${names.indexOf(node)}`, ns, node, image, command, { app: 'k8ts-check-client' }, 'Never'))));
    say('probing pod to pod, pod to Service and DNS from every node');
    const results = new Map<string, ClientResult | undefined>();
    await until(deadline, async () => {
      const list = (await podsApi.list(ns, { labelSelector: 'app=k8ts-check-client' })).items;
      return list.length === clients.length && list.every((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') ? true : undefined;
    });
    for (const node of clients) {
      const name = `client-${names.indexOf(node)}`;
      const p = await podsApi.get(ns, name).catch(() => undefined);
      if (p?.status?.phase !== 'Succeeded') {
        notRun.set(node, `client pod: ${waitingWhy(p)}`);
        continue;
      }
      results.set(node, parseClientLog(await podLog(o.client, ns, name)));
    }
    return { nodes: nodes.map(nodeFacts), results, notRun };
  } finally {
    await o.client.resource<KubeObject>(resources.namespaces).delete('', ns).catch(() => undefined);
  }
}
