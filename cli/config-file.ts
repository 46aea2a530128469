// /etc/k8ts/config.yaml: every flag of `k8ts server` and `k8ts agent` can be set there, keys
// named as the flags (k3s reads /etc/rancher/k3s/config.yaml the same way). The file's values
// come first and the command line's after them, so a flag given on the command line wins; for a
// repeatable flag the command line replaces the file's list, and a key written `name+:` adds to
// it instead (as k3s does).
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { FlagSpec } from './flags.js';

export const DEFAULT_CONFIG_FILE = '/etc/k8ts/config.yaml';

export const configFlagHelp = `  --config FILE                     flags as YAML, keys named as the flags (default ${DEFAULT_CONFIG_FILE}; env K8TS_CONFIG_FILE)\n`;

/** The command-line arguments a config file's text stands for. Throws naming a bad key or value. */
export function configFileArgs(text: string, options: FlagSpec, file: string, cliArgs: readonly string[] = []): string[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: want a mapping of flag names to values, e.g. "node-ip: 10.0.0.2"`);
  const onCommandLine = new Set(cliArgs.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]));
  const args: string[] = [];
  for (const [rawKey, value] of Object.entries(doc as Record<string, unknown>)) {
    const append = rawKey.endsWith('+');
    const key = append ? rawKey.slice(0, -1) : rawKey;
    const spec = options[key];
    if (!spec || key === 'config' || key === 'help') throw new Error(`${file}: unknown key "${rawKey}": not a flag of this command (keys are flag names without "--")`);
    if (spec.multiple && onCommandLine.has(key) && !append) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === null || typeof v === 'object') throw new Error(`${file}: "${rawKey}" must be a string, number, boolean or a list of them`);
    }
    if (spec.type === 'boolean') {
      if (values.length !== 1 || typeof values[0] !== 'boolean') throw new Error(`${file}: "${rawKey}" takes true or false`);
      if (values[0]) args.push(`--${key}`);
      continue;
    }
    if (spec.multiple) for (const v of values) args.push(`--${key}=${String(v)}`);
    else args.push(`--${key}=${values.map(String).join(',')}`);
  }
  return args;
}

/** argv with the config file's flags before it, and --config taken out. */
export function withConfigFile(argv: readonly string[], options: FlagSpec, env: NodeJS.ProcessEnv = process.env): string[] {
  const rest: string[] = [];
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--config' || a === '-c') file = argv[++i] ?? '';
    else if (a.startsWith('--config=')) file = a.slice('--config='.length);
    else rest.push(a);
  }
  const explicit = file ?? env.K8TS_CONFIG_FILE;
  const path = explicit || DEFAULT_CONFIG_FILE;
  if (!existsSync(path)) {
    if (explicit) throw new Error(`config file ${path} does not exist`);
    return rest;
  }
  return [...configFileArgs(readFileSync(path, 'utf8'), options, path, rest), ...rest];
}
