// What RBAC enforcement costs: one authorization decision (the cached path and the first one
// after an RBAC change) with the default policy plus 2,000 bindings, and creates/s at 64
// clients as a system:masters user (never reaches RBAC: the floor) and as a user bound to
// `edit`, side by side on the same server in the same run.
// Run: node dist/bench/rbac.js
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '../apiserver/api/builtin/index.js';
import { AdmissionChain } from '../apiserver/auth/admission/chain.js';
import { ensureRbacPolicy } from '../apiserver/auth/rbac/ensure-policy.js';
import { RbacAuthorizer } from '../apiserver/auth/rbac/rbac-authorizer.js';
import { ApiContext } from '../apiserver/registry/api-context.js';
import { systemUser } from '../apiserver/registry/context.js';
import { openStore } from '../apiserver/storage/open.js';
import type { ResourceRequest } from '../apiserver/http/request-info.js';
import { benchClient } from './lib/client.js';
import { startBenchServer } from './lib/server.js';
import { machine, printTable, summarize } from './lib/stats.js';

const durationMs = Number(process.env.BENCH_SECONDS ?? 5) * 1000;

async function decisionCost(): Promise<Array<Array<string | number>>> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-rbac-bench-'));
  const store = await openStore(dir);
  const api = new ApiContext(builtinRegistry(), store, new AdmissionChain());
  await ensureRbacPolicy(api);
  const ctx = { user: systemUser, namespace: '', dryRun: false, fieldManager: 'bench' };
  // 100 namespaces with 20 bindings each, to users who are not the one asking.
  const rb = api.storeFor('rbac.authorization.k8s.io', 'rolebindings');
  for (let n = 0; n < 100; n++) {
    await Promise.all(Array.from({ length: 20 }, (_, i) => rb.create(`ns${n}`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `b${i}`, namespace: `ns${n}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: `user${n}-${i}` }],
    }, { ...ctx, namespace: `ns${n}` })));
  }
  const crb = api.storeFor('rbac.authorization.k8s.io', 'clusterrolebindings');
  await crb.create('', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'alice-view' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
  }, ctx);
  const rbac = new RbacAuthorizer(api);
  rbac.start();
  const user = { name: 'alice', groups: ['system:authenticated'] };
  const info = (resource: string, verb: ResourceRequest['verb']): ResourceRequest =>
    ({ kind: 'resource', verb, group: '', version: 'v1', namespace: 'ns7', resource, name: '', subresource: '', rest: [] });
  const allowed = info('pods', 'list');
  const refused = info('secrets', 'list');
  const rows: Array<Array<string | number>> = [];
  for (const [name, req] of [['allowed (view: list pods)', allowed], ['refused (view: list secrets)', refused]] as const) {
    const n = 1_000_000;
    rbac.authorize({ user, info: req });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) rbac.authorize({ user, info: req });
    rows.push([`${name}, cached`, (Number(process.hrtime.bigint() - t0) / n / 1000).toFixed(3)]);
  }
  // The first decision after an RBAC change rebuilds the index and resolves the user's rules.
  const cold: number[] = [];
  for (let i = 0; i < 50; i++) {
    (rbac as unknown as { changed(): void }).changed();
    const t0 = process.hrtime.bigint();
    rbac.authorize({ user, info: allowed });
    cold.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  rows.push(['first after a change (index rebuilt, 2,0xx bindings), p50', summarize(cold).p50.toFixed(1)]);
  rbac.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

async function createRate(): Promise<Array<Array<string | number>>> {
  const tokens = join(mkdtempSync(join(tmpdir(), 'k8ts-rbac-tokens-')), 'tokens.csv');
  writeFileSync(tokens, 'bench-admin,admin,1,"system:masters"\nbench-editor,editor,2\n');
  const server = await startBenchServer(['--token-auth-file', tokens]);
  const admin = benchClient(server.kubeconfig, 64, 'bench-admin');
  await admin.call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', JSON.stringify({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'editor' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'editor' }],
  }));
  const editor = benchClient(server.kubeconfig, 64, 'bench-editor');
  const body = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { payload: 'x'.repeat(400) } });
  const run = async (who: string, client: typeof admin, round: number) => {
    let n = 0;
    let failed = 0;
    const end = Date.now() + durationMs;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (Date.now() < end) {
        const r = await client.call('POST', '/api/v1/namespaces/default/configmaps', body(`${who}-${round}-${n++}`));
        if (r.status !== 201) failed++;
      }
    }));
    return { rate: n / (durationMs / 1000), failed };
  };
  const rows: Array<Array<string | number>> = [];
  await run('warmup', admin, 0);
  // Alternated, twice each, so drift on a shared host falls on both.
  for (let round = 0; round < 2; round++) {
    for (const [who, client] of [['admin', admin], ['editor', editor]] as const) {
      const r = await run(who, client, round);
      rows.push([`${who === 'admin' ? 'system:masters (no RBAC)' : 'bound to edit (RBAC)'}, round ${round + 1}`, r.rate.toFixed(0), String(r.failed)]);
    }
  }
  admin.agent.destroy();
  editor.agent.destroy();
  await server.stop();
  return rows;
}

async function main() {
  process.stdout.write(`k8ts RBAC benchmark — ${machine()} — ${new Date().toISOString()}\n`);
  printTable('One authorization decision', ['case', 'µs'], await decisionCost());
  printTable('ConfigMap creates at 64 clients', ['user', 'creates/s', 'failed'], await createRate());
}

await main();
