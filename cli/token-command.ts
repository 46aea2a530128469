// `k8ts token create|list|delete`: bootstrap tokens for joining nodes, as `kubeadm token` and
// `k3s token` manage them (Secrets of type bootstrap.kubernetes.io/token in kube-system, which
// the token-cleaner removes once expired). Talks to the API with the admin kubeconfig.
import { join } from 'node:path';
import { isNotFound } from '../lib/client/api-error.js';
import { KubeClient } from '../lib/client/rest-client.js';
import { resources } from '../lib/client/resource-types.js';
import type { KubeObject } from '../lib/client/types.js';
import { bootstrapTokenPrefix, bootstrapTokenType, caHash, formatJoinToken, newBootstrapToken, parseBootstrapToken, parseJoinToken } from '../lib/bootstrap-token.js';
import { parseDuration } from '../lib/duration.js';
import { readKubeconfig } from '../lib/kubeconfig.js';
import { defaultDataDir, parseFlags } from './flags.js';

const help = `Manage bootstrap tokens that join nodes (k8ts agent --server URL --token TOKEN).

Usage:
  k8ts token create [--ttl 24h] [--description TEXT] [--groups G1,G2]
  k8ts token list
  k8ts token delete ID|TOKEN ...

Flags:
  --kubeconfig FILE   admin kubeconfig (default <data-dir>/admin.kubeconfig)
  --data-dir DIR      the server's data directory (default /var/lib/k8ts as root, ~/.k8ts otherwise)
  --ttl DURATION      how long the token works; 0 never expires (default 24h)
  --description TEXT  a note shown by 'k8ts token list'
  --groups G1,G2      extra groups, each starting with system:bootstrappers:
                      (default system:bootstrappers:k8ts:default-node-token)
`;

type Secret = KubeObject & { type?: string; data?: Record<string, string>; stringData?: Record<string, string> };

const defaultGroup = 'system:bootstrappers:k8ts:default-node-token';
const text = (s: Secret, key: string) => (s.data?.[key] === undefined ? '' : Buffer.from(s.data[key] ?? '', 'base64').toString('utf8'));

export async function runToken(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { flags, args } = splitArgs(rest);
  const f = parseFlags(flags, {
    kubeconfig: { type: 'string' },
    'data-dir': { type: 'string' },
    ttl: { type: 'string' },
    description: { type: 'string' },
    groups: { type: 'string' },
  }, help);
  const kubeconfig = f.kubeconfig ?? join(f['data-dir'] ?? defaultDataDir(), 'admin.kubeconfig');
  const config = readKubeconfig(kubeconfig);
  const client = new KubeClient(config, { userAgent: 'k8ts-token' });
  const secrets = client.resource<Secret>(resources.secrets);
  try {
    switch (sub) {
      case 'create': {
        const ttlMs = parseDuration(f.ttl ?? '24h');
        const groups = (f.groups ?? defaultGroup).split(',').map((g) => g.trim()).filter(Boolean);
        const bad = groups.find((g) => !g.startsWith('system:bootstrappers:'));
        if (bad) throw new Error(`group "${bad}" must start with system:bootstrappers:`);
        const t = newBootstrapToken();
        await secrets.create({
          apiVersion: 'v1', kind: 'Secret', type: bootstrapTokenType,
          metadata: { name: `${bootstrapTokenPrefix}${t.id}`, namespace: 'kube-system' },
          stringData: {
            'token-id': t.id, 'token-secret': t.secret,
            ...(ttlMs > 0 ? { expiration: new Date(Date.now() + ttlMs).toISOString().replace(/\.\d+Z$/, 'Z') } : {}),
            'usage-bootstrap-authentication': 'true', 'usage-bootstrap-signing': 'true',
            'auth-extra-groups': groups.join(','),
            ...(f.description ? { description: f.description } : {}),
          },
        });
        process.stdout.write(`${formatJoinToken(caHash(config.caCert ?? ''), `${t.id}.${t.secret}`)}\n`);
        return 0;
      }
      case 'list': {
        const list = await secrets.list('kube-system', { fieldSelector: `type=${bootstrapTokenType}` });
        const rows = [['TOKEN', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS']];
        for (const s of list.items) {
          const expires = text(s, 'expiration');
          const usages = ['authentication', 'signing'].filter((u) => text(s, `usage-bootstrap-${u}`) === 'true');
          rows.push([
            `${text(s, 'token-id')}.${text(s, 'token-secret')}`,
            expires ? shortDuration(Date.parse(expires) - Date.now()) : '<forever>',
            expires || '<never>', usages.join(',') || '<none>', text(s, 'description') || '<none>', text(s, 'auth-extra-groups') || '<none>',
          ]);
        }
        process.stdout.write(table(rows));
        return 0;
      }
      case 'delete': {
        if (!args.length) throw new Error('name the token to delete: k8ts token delete ID|TOKEN');
        for (const a of args) {
          const id = parseBootstrapToken(a)?.id ?? parseJoinToken(a)?.bootstrap?.id ?? a;
          if (!/^[a-z0-9]{6}$/.test(id)) throw new Error(`"${a}" is not a token or token ID (want [a-z0-9]{6}, or <id>.<secret>)`);
          try {
            await secrets.delete('kube-system', `${bootstrapTokenPrefix}${id}`);
          } catch (err) {
            if (isNotFound(err)) throw new Error(`bootstrap token "${id}" not found`);
            throw err;
          }
          process.stdout.write(`bootstrap token "${id}" deleted\n`);
        }
        return 0;
      }
      default:
        process.stderr.write(sub ? `unknown token command "${sub}"\n\n${help}` : help);
        return 1;
    }
  } finally {
    client.close();
  }
}

/** Flags (with their values) apart from the arguments (token IDs). */
function splitArgs(argv: string[]): { flags: string[]; args: string[] } {
  const flags: string[] = [];
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('-')) args.push(a);
    else if (!a.includes('=') && /^--(kubeconfig|data-dir|ttl|description|groups)$/.test(a)) flags.push(a, argv[++i] ?? '');
    else flags.push(a);
  }
  return { flags, args };
}

/** apimachinery's ShortHumanDuration, as kubeadm token list prints the TTL. */
function shortDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 60) return `${Math.max(0, s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  if (s < 86400 * 365) return `${Math.floor(s / 86400)}d`;
  return `${Math.floor(s / (86400 * 365))}y`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3))).join('').trimEnd()).join('\n') + '\n';
}
