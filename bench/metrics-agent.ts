// The agent's CPU and RSS with 110 real pods, with the built-in metrics server scraping it every
// 15 s (its default) and with it off (`--disable metrics-server`): what resource metrics cost
// a node as a user runs it. Each mode gets a fresh environment (server, agent, containerd).
//
//   node dist/bench/metrics-agent.js [--pods 110] [--seconds 120]   (root; builds its own environment)
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { cpuSeconds, printTable, rssMiB, summarize } from './lib/stats.js';

const { values } = parseArgs({ options: { pods: { type: 'string', default: '110' }, seconds: { type: 'string', default: '120' } } });
const nPods = Number(values.pods);
const seconds = Number(values.seconds);

async function measure(mode: 'on' | 'off'): Promise<{ cpuPct: number; rss: number; scrapes: string }> {
  const { missingPrerequisites, setupAgentEnv } = await import('../test/e2e/agent-harness.js');
  const missing = missingPrerequisites();
  if (missing.length) throw new Error(`metrics-agent needs: ${missing.join(', ')}`);
  const env = await setupAgentEnv({ syncFrequency: '1m', serverArgs: mode === 'off' ? ['--disable', 'metrics-server'] : [] });
  try {
    await env.apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: idle}
spec:
  replicas: ${nPods}
  selector: {matchLabels: {app: idle}}
  template:
    metadata: {labels: {app: idle}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - {name: main, image: ${env.image}, command: [sh, -c, 'trap "exit 0" TERM; sleep 3600 & wait'], resources: {requests: {cpu: 1m}}}
`);
    for (let i = 0; i < 600; i++) {
      if ((await env.k('get', 'deploy', 'idle', '-o', 'jsonpath={.status.readyReplicas}')) === String(nPods)) break;
      await sleep(1000);
    }
    // Settled: the burst's work is done and a few scrapes have passed.
    await sleep(45_000);
    const pid = env.agentPid() as number;
    const cpu0 = cpuSeconds(pid);
    const rss: number[] = [];
    for (let t = 0; t < seconds; t += 10) {
      await sleep(10_000);
      rss.push(rssMiB(pid));
    }
    const cpuPct = ((cpuSeconds(pid) - cpu0) / seconds) * 100;
    const own = await env.k('get', '--raw', `/api/v1/nodes/${env.nodeName}/proxy/metrics`);
    const scrapes = /kubelet_runtime_operations_total\{operation_type="list_container_stats"\} (\d+)/.exec(own)?.[1] ?? '0';
    const top = mode === 'on' ? await env.k('top', 'node').catch((e: Error) => e.message) : '';
    if (top) console.log(top);
    return { cpuPct, rss: summarize(rss).p50, scrapes };
  } finally {
    await env.teardown();
  }
}

const off = await measure('off');
const on = await measure('on');
printTable(`the agent with ${nPods} pods, metrics server off and on (15 s scrape), over ${seconds} s`, ['metrics', 'agent CPU, % of a core', 'agent RSS p50, MiB', 'ListContainerStats calls so far'], [
  ['off (--disable metrics-server)', off.cpuPct.toFixed(2), off.rss.toFixed(1), off.scrapes],
  ['on', on.cpuPct.toFixed(2), on.rss.toFixed(1), on.scrapes],
]);
