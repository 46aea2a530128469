// Cluster DNS put together: records over the Service/EndpointSlice caches, the forwarder to the
// node's resolvers (resolv.conf, re-read every 30 s) behind its cache, checked for loops through
// other resolvers (loop-probe.ts), the UDP/TCP server and the metrics endpoint. The agent's `dns` component runs it (dns-component.ts); tests and the
// benchmark run it against caches of their own.
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { encode, RECURSION_DESIRED } from 'dns-packet';
import type { ObjectCache } from '../../lib/client/cache.js';
import { logger } from '../../lib/log.js';
import type { EndpointSlice, Service } from '../kube-types.js';
import { parseResolvConf } from '../runtime/dns.js';
import { AnswerCache } from './answer-cache.js';
import { cacheView } from './cluster-view.js';
import { startDnsServer, type RunningDnsServer } from './dns-server.js';
import { udpExchange, upstreamName, type Upstream } from './exchange.js';
import { LoopProbe } from './loop-probe.js';
import { Forwarder } from './forwarder.js';
import { DnsHandler } from './handler.js';
import { DnsMetrics } from './metrics.js';
import { startMetricsServer, type RunningMetricsServer } from './metrics-server.js';
import { ClusterRecords } from './records.js';
import { chooseUpstreams } from './upstreams.js';

const log = logger('dns');

/** kubeadm's Corefile: `ttl 30` in the kubernetes block, `cache 30`. */
export const clusterTTL = 30;
const cacheTTL = 30;
const cacheCapacity = 9984;
const upstreamTimeoutMs = 2_000;
const resolvReloadMs = 30_000;

export interface ClusterDnsOptions {
  services: ObjectCache<Service>;
  slices: ObjectCache<EndpointSlice>;
  /** --cluster-domain */
  domain: string;
  /** --cluster-dns: the Service IPs that route here (never forwarded to). */
  clusterDNS: readonly string[];
  addresses: readonly string[];
  /** 53; 0 picks a free port (tests). */
  port: number;
  /** 9153; 0 picks one; undefined: no metrics endpoint. */
  metricsPort?: number;
  /** Where the node's resolvers are listed (/etc/resolv.conf). */
  resolvConf: string;
  /** Upstreams to use instead of resolv.conf's (tests point them at a fake on loopback). */
  upstreams?: Upstream[];
}

export interface RunningClusterDns {
  readonly addresses: Upstream[];
  readonly metricsPorts: number[];
  readonly metrics: DnsMetrics;
  stop(): Promise<void>;
}

export async function startClusterDns(opts: ClusterDnsOptions): Promise<RunningClusterDns> {
  const started = Math.floor(Date.now() / 1000);
  const records = new ClusterRecords(cacheView(opts.services, opts.slices), { domain: opts.domain, ttl: clusterTTL, dnsIPs: opts.clusterDNS, serial: () => started });
  const cache = new AnswerCache({ maxTTL: cacheTTL, capacity: cacheCapacity });
  const server = `dns://${opts.addresses[0] ?? ''}:${opts.port}`;
  const metrics = new DnsMetrics(server, '.', () => cache.size);
  let upstreams: readonly Upstream[] = opts.upstreams ?? [];
  const forwarder = new Forwarder({ upstreams: () => upstreams, timeoutMs: upstreamTimeoutMs, cache, metrics });
  const loop = new LoopProbe((name) => log.error({ upstreams: upstreams.map(upstreamName), probe: name },
    'forwarding loops: a question sent upstream came back here; names outside the cluster get SERVFAIL until resolv.conf changes (an upstream must not send queries to the cluster DNS)'));
  const dns = await startDnsServer({ addresses: opts.addresses, port: opts.port, handler: new DnsHandler(records, forwarder, metrics, loop) });
  /** Asks ourselves the probe (fire and forget): its answer does not matter, its coming back does. */
  const probe = () => {
    if (upstreams.length === 0) return;
    const query = encode({ type: 'query', id: randomInt(0, 65536), flags: RECURSION_DESIRED, questions: [{ name: loop.next(), type: 'HINFO', class: 'IN' }] });
    udpExchange(dns.addresses[0], query, 2 * upstreamTimeoutMs * Math.max(1, upstreams.length)).catch(() => undefined);
  };

  let timer: NodeJS.Timeout | undefined;
  const metricsServers: RunningMetricsServer[] = [];
  try {
    if (!opts.upstreams) {
      let last: string | undefined;
      const reload = async () => {
        const text = await readFile(opts.resolvConf, 'utf8').catch((err: Error) => {
          log.warn({ file: opts.resolvConf, err: err.message }, 'cannot read resolv.conf: keeping the upstreams we have');
          return undefined;
        });
        if (text === undefined || text === last) return;
        last = text;
        const choice = chooseUpstreams(parseResolvConf(text), { listen: dns.addresses, clusterDNS: opts.clusterDNS });
        upstreams = choice.upstreams;
        log.info({ file: opts.resolvConf, upstreams: choice.upstreams.map(upstreamName), skipped: choice.skipped }, 'upstream resolvers');
        probe();
      };
      await reload();
      timer = setInterval(() => void reload(), resolvReloadMs);
      timer.unref();
    } else {
      probe();
    }
    if (opts.metricsPort !== undefined) {
      for (const host of opts.addresses) metricsServers.push(await startMetricsServer(host, opts.metricsPort, () => metrics.expose()));
    }
  } catch (err) {
    clearInterval(timer);
    await Promise.all([dns.stop(), ...metricsServers.map((m) => m.stop())]);
    throw err;
  }
  return {
    addresses: dns.addresses,
    metricsPorts: metricsServers.map((m) => m.port),
    metrics,
    async stop() {
      clearInterval(timer);
      await Promise.all([dns.stop(), ...metricsServers.map((m) => m.stop())]);
    },
  };
}
