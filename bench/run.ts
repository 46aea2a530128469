// `npm run bench [-- name ...]`: runs benchmarks one after another (never side by side: they
// share the machine's cores), each as its own process, printing its tables. Without names, it
// runs every benchmark this host can run; the container ones need root.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches = ['api', 'rbac', 'store-growth', 'store-engine', 'patch-apply', 'scheduling', 'cri-floor', 'pod-startup', 'proxy-rules', 'dns', 'metrics-collect', 'metrics-agent', 'overlay', 'local-path', 'netpol-rules', 'ingress'];
const needsRoot = new Set(['cri-floor', 'pod-startup', 'proxy-rules', 'metrics-agent', 'overlay', 'local-path', 'netpol-rules']);

const asked = process.argv.slice(2);
const unknown = asked.filter((n) => !benches.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')} (have: ${benches.join(', ')})`);
  process.exit(2);
}
const isRoot = process.getuid?.() === 0;
const chosen = asked.length ? asked : benches.filter((n) => isRoot || !needsRoot.has(n));
let failed = 0;
for (const name of chosen) {
  console.log(`\n## ${name}`);
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(`./${name}.js`, import.meta.url))], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`${name} exited with ${r.status ?? r.signal}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
