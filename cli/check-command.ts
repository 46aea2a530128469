// `k8ts check network`: the cluster's pod network checked from the inside (lib/network-check/).
// Wiring only: flags, kubeconfig, printing.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from '../lib/client/rest-client.js';
import { readKubeconfig } from '../lib/kubeconfig.js';
import { parseDuration } from '../lib/duration.js';
import { runNetworkCheck } from '../lib/network-check/run-check.js';
import { allPassed, diagnose, formatMatrix } from '../lib/network-check/diagnose.js';
import { parseFlags } from './flags.js';

const help = `Check the pod network: a short-lived pod on every Ready node tries every other node's pod by
pod IP, a Service by its ClusterIP and the Service's DNS name; prints a matrix and the likely
cause of each failure (UDP 8472 blocked, wrong interface, MTU, missing route, br_netfilter, DNS).
Exits 1 when anything failed. Everything it creates is in a namespace it deletes.

Usage:
  k8ts check network [--kubeconfig FILE] [--image IMAGE] [--timeout 2m]

Flags:
  --kubeconfig FILE     as kubectl's (default $KUBECONFIG, else ~/.kube/config)
  --image IMAGE         an image with sh, httpd, wget and nslookup (default: a busybox image every
                        node already has, so nothing is pulled)
  --timeout D           how long pods may take to run (default 2m)
  --cluster-domain D    the cluster domain (default cluster.local)
`;

function defaultKubeconfig(): string {
  return process.env.KUBECONFIG?.split(':').find(Boolean) ?? join(homedir(), '.kube', 'config');
}

export async function runCheck(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === '--help' || what === '-h' || what === undefined) {
    process.stdout.write(help);
    return what === undefined ? 1 : 0;
  }
  if (what !== 'network') throw new Error(`unknown check "${what}" (the only one is 'k8ts check network')`);
  const f = parseFlags(rest, {
    kubeconfig: { type: 'string' },
    image: { type: 'string' },
    timeout: { type: 'string' },
    'cluster-domain': { type: 'string' },
  }, help);
  const file = f.kubeconfig ?? defaultKubeconfig();
  if (!existsSync(file)) throw new Error(`no kubeconfig at ${file}: pass --kubeconfig FILE or set KUBECONFIG`);
  const client = new KubeClient(readKubeconfig(file), { userAgent: 'k8ts-check' });
  try {
    const results = await runNetworkCheck({
      client, image: f.image, timeoutMs: parseDuration(f.timeout ?? '2m'), clusterDomain: f['cluster-domain'] ?? 'cluster.local',
      say: (l) => process.stderr.write(`${l}\n`),
    });
    process.stdout.write(formatMatrix(results));
    const causes = diagnose(results);
    if (causes.length) process.stdout.write(`\nLikely causes:\n${causes.map((c) => `  - ${c}`).join('\n')}\n`);
    const ok = allPassed(results);
    process.stdout.write(ok ? '\nAll checks passed.\n' : '\n');
    return ok ? 0 : 1;
  } finally {
    client.close();
  }
}
