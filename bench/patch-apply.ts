// Patch and apply latency on a Deployment with 10 containers: each patch flavour and
// server-side apply (changing and no-op), against GET and PUT as baselines, one request at a
// time so the numbers are per-request latency; plus the first OpenAPI download. The
// Deployment is paused so controllers do not add their own work to the measurement.
// Run: node dist/bench/patch-apply.js   (BENCH_ITERATIONS=300)
import { request } from 'node:https';
import { benchClient } from './lib/client.js';
import { startBenchServer } from './lib/server.js';
import { machine, printTable, summarize } from './lib/stats.js';
import { readKubeconfig } from '../lib/kubeconfig.js';
import { builtinRegistry } from '../apiserver/api/builtin/index.js';
import { SchemaRegistry } from '../apiserver/api/schema/schema-registry.js';
import { typedPatchErrors } from '../apiserver/apply/typed-patch.js';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 300);
const path = '/apis/apps/v1/namespaces/default/deployments/bench';

function deployment(image: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bench', labels: { app: 'bench' } },
    spec: {
      // Paused: the deployment controller makes no ReplicaSet per change, so this measures the API.
      replicas: 1, paused: true, selector: { matchLabels: { app: 'bench' } },
      template: {
        metadata: { labels: { app: 'bench' } },
        spec: {
          containers: Array.from({ length: 10 }, (_, i) => ({
            name: `c${i}`, image: i === 5 ? image : `registry.example/app${i}:1`,
            ports: [{ containerPort: 8000 + i, protocol: 'TCP' }],
            env: [{ name: 'A', value: String(i) }, { name: 'B', value: 'x' }],
            resources: { limits: { cpu: '100m', memory: '64Mi' } },
            volumeMounts: [{ name: 'data', mountPath: `/data/${i}` }],
          })),
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      },
    },
  };
}

async function main() {
  process.stdout.write(`k8ts patch/apply benchmark — ${machine()} — ${new Date().toISOString()}\n`);
  const server = await startBenchServer();
  const client = benchClient(server.kubeconfig, 1);
  const cfg = readKubeconfig(server.kubeconfig);
  const url = new URL(cfg.server);
  const call = (method: string, p: string, body: string | undefined, contentType: string, accept = 'application/json') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const headers: Record<string, string | number> = { Accept: accept };
      if (body !== undefined) Object.assign(headers, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
      const req = request({ host: url.hostname, port: Number(url.port), agent: client.agent, method, path: p, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  const openapiRows: Array<Array<string | number>> = [];
  for (const [label, p, accept] of [
    ['/openapi/v3 (index, first)', '/openapi/v3', 'application/json'],
    ['/openapi/v3/apis/apps/v1 (first)', '/openapi/v3/apis/apps/v1', 'application/json'],
    ['/openapi/v2 JSON (first)', '/openapi/v2', 'application/json'],
    ['/openapi/v2 protobuf (first)', '/openapi/v2', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf'],
    ['/openapi/v2 protobuf (cached)', '/openapi/v2', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf'],
  ] as const) {
    const t0 = performance.now();
    const r = await call('GET', p, undefined, '', accept);
    openapiRows.push([label, r.status, Math.round(r.body.length / 1024), performance.now() - t0]);
  }
  printTable('OpenAPI documents', ['request', 'status', 'KiB', 'ms'], openapiRows);

  const created = await call('POST', '/apis/apps/v1/namespaces/default/deployments?fieldManager=bench', JSON.stringify(deployment('img:0')), 'application/json');
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${created.body}`);

  let n = 0;
  const ops: Array<[string, () => Promise<{ status: number; body: string }>]> = [
    ['GET (baseline)', () => call('GET', path, undefined, '')],
    ['PUT update (baseline, GET + PUT)', async () => {
      // The deployment controller writes status too: a stale read is retried, as clients do.
      for (;;) {
        const cur = JSON.parse((await call('GET', path, undefined, '')).body) as { spec: { template: { spec: { containers: { image: string }[] } } } };
        cur.spec.template.spec.containers[5].image = `img:put${n++}`;
        const r = await call('PUT', `${path}?fieldManager=bench`, JSON.stringify(cur), 'application/json');
        if (r.status !== 409) return r;
      }
    }],
    ['strategic merge patch (image of 1 of 10)', () => call('PATCH', `${path}?fieldManager=bench`, JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'c5', image: `img:smp${n++}` }] } } } }), 'application/strategic-merge-patch+json')],
    ['kubectl-apply style patch ($setElementOrder)', () => call('PATCH', `${path}?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`, JSON.stringify({
      spec: { template: { spec: { '$setElementOrder/containers': Array.from({ length: 10 }, (_, i) => ({ name: `c${i}` })), containers: [{ name: 'c5', image: `img:csa${n++}` }] } } },
    }), 'application/strategic-merge-patch+json')],
    ['merge patch (label)', () => call('PATCH', `${path}?fieldManager=bench`, JSON.stringify({ metadata: { labels: { rev: String(n++) } } }), 'application/merge-patch+json')],
    ['JSON patch (test + replace)', () => call('PATCH', `${path}?fieldManager=bench`, JSON.stringify([{ op: 'test', path: '/spec/replicas', value: 1 }, { op: 'replace', path: '/spec/template/spec/containers/5/image', value: `img:jp${n++}` }]), 'application/json-patch+json')],
    ['server-side apply (changes image)', () => call('PATCH', `${path}?fieldManager=bench-ssa&force=true`, JSON.stringify(deployment(`img:ssa${n++}`)), 'application/apply-patch+yaml')],
    ['server-side apply (no-op)', () => call('PATCH', `${path}?fieldManager=bench-ssa&force=true`, JSON.stringify(deployment('img:fixed')), 'application/apply-patch+yaml')],
  ];
  const rows: Array<Array<string | number>> = [];
  for (const [label, op] of ops) {
    for (let i = 0; i < 20; i++) await op();
    const lat: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now();
      const r = await op();
      lat.push(performance.now() - t0);
      if (r.status >= 300) throw new Error(`${label}: ${r.status} ${r.body.slice(0, 300)}`);
    }
    const s = summarize(lat);
    rows.push([label, s.count, s.p50, s.p99, s.max]);
  }
  printTable(`Deployment with 10 containers, sequential requests (${iterations} each)`, ['operation', 'n', 'p50 ms', 'p99 ms', 'max ms'], rows);
  await server.stop();
  measureTypeCheck();
}

/** What server-side apply's type check of the applied configuration adds to each request, in process. */
function measureTypeCheck(): void {
  const schemas = SchemaRegistry.forBuiltins(builtinRegistry());
  const schema = schemas.forKind({ group: 'apps', version: 'v1', kind: 'Deployment' })!.schema;
  const config = deployment('img:typed');
  const rounds = 20 * iterations;
  for (let i = 0; i < rounds; i++) typedPatchErrors(config, schema, schemas.definitions());
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) typedPatchErrors(config, schema, schemas.definitions());
  const us = ((performance.now() - t0) * 1000) / rounds;
  printTable('Type check of the applied configuration (in process)', ['configuration', 'calls', 'µs per call'], [['Deployment, 10 containers', rounds, us]]);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
