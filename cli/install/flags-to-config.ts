// What `install.sh [server|agent] FLAGS` keeps: the flags become /etc/k8ts/config.yaml (keys
// named as the flags, which `k8ts server|agent` reads back, as k3s' config.yaml), and the join
// token goes to a file of its own, mode 0600, never into the config or the unit.
import { stringify } from 'yaml';

export type ConfigValue = string | boolean | string[];

export interface InstallFlags {
  /** Flags for config.yaml, in the order given. */
  config: Record<string, ConfigValue>;
  token?: string;
}

/**
 * `--name value`, `--name=value` and a bare `--name` (true, when the next word is another flag or
 * there is none); a flag given twice becomes a list.
 */
export function parseInstallFlags(argv: readonly string[]): InstallFlags {
  const config: Record<string, ConfigValue> = {};
  let token: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--') || arg === '--') throw new Error(`unexpected argument "${arg}": flags are --name value or --name=value`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    let value: string | boolean;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) value = argv[++i] ?? '';
    else value = true;
    if (name === 'token') {
      if (typeof value !== 'string' || !value) throw new Error('--token needs a value');
      token = value;
      continue;
    }
    const prev = config[name];
    if (prev === undefined) config[name] = value;
    else if (typeof value === 'boolean' || typeof prev === 'boolean') throw new Error(`--${name} given twice`);
    else config[name] = [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return { config, token };
}

export function configYaml(config: Record<string, ConfigValue>): string {
  return '# Written by k8ts install; every flag of `k8ts server` / `k8ts agent` can be set here.\n' + stringify(config);
}
