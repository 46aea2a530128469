// One cluster per test file: started before the file's tests and destroyed after them, with the
// simulated nodes (waited for until Ready) and the default service account (pods are refused
// until it exists) a file asks for. `cluster` stands for the server once it is up, so a file
// uses it as it would the TestCluster itself.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { startSimulatedNodes, type SimulatedNodes } from './agent.js';
import { eventually, startCluster, type ClusterOptions, type TestCluster } from './cluster.js';

export interface FixtureOptions extends ClusterOptions {
  /** Simulated node processes: a name and extra `k8ts agent --simulated` flags each. */
  nodes?: Array<{ name: string; args?: string[] }>;
  /** API behaviour only: no controller but the service accounts', no scheduler. */
  apiOnly?: boolean;
  /** Wait for the `default` ServiceAccount in `default` (implied by nodes and apiOnly). */
  serviceAccount?: boolean;
  /** What the file's tests need besides, once all of the above is up. */
  setup?: (c: TestCluster) => Promise<unknown>;
}

export interface ClusterFixture {
  cluster: TestCluster;
  nodes: SimulatedNodes[];
}

export function useCluster(opts: FixtureOptions = {}): ClusterFixture {
  let started: TestCluster | undefined;
  const nodes: SimulatedNodes[] = [];
  const cluster = new Proxy({} as TestCluster, {
    get(_, prop) {
      if (!started) throw new Error('the cluster is used before it started');
      const v = Reflect.get(started, prop, started) as unknown;
      return typeof v === 'function' ? v.bind(started) : v;
    },
  });
  before(async () => {
    const args = [...(opts.apiOnly ? ['--controllers=serviceaccount-controller', '--disable-scheduler'] : []), ...(opts.args ?? [])];
    const c = await startCluster({ ...opts, args });
    started = c;
    for (const n of opts.nodes ?? []) nodes.push(await startSimulatedNodes(c, n.name, n.args));
    if (opts.nodes?.length) await eventually(async () => (await c.k('get', 'nodes')).match(/ Ready /g)?.length === opts.nodes?.length);
    if (opts.serviceAccount ?? (opts.apiOnly || !!opts.nodes?.length)) {
      await eventually(async () => (await c.http('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200);
    }
    await opts.setup?.(c);
  });
  after(async () => {
    for (const n of nodes) await n.kill();
    await started?.destroy();
  });
  return { cluster, nodes };
}

/** `kubectl <verb> -f -` with a manifest on stdin that must succeed: returns stdout. */
export async function withManifest(c: TestCluster, verb: 'apply' | 'create', yaml: string, ...flags: string[]): Promise<string> {
  const r = await c.kubectl([verb, '-f', '-', ...flags], { stdin: yaml });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** `kubectl create -f -` that must be refused: returns stderr. */
export async function refusedManifest(c: TestCluster, yaml: string): Promise<string> {
  const r = await c.kubectl(['create', '-f', '-', '--validate=false'], { stdin: yaml });
  assert.equal(r.code, 1, `expected a failure, got: ${r.stdout}`);
  return r.stderr.trim();
}
