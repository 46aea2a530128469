// Flag parsing shared by the commands (node:util parseArgs, Kubernetes-style --long-flags).
import { parseBool } from '../lib/parse-bool.js';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<T extends FlagSpec>(argv: string[], options: T, help: string) {
  try {
    const { values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true });
    if ((values as Record<string, unknown>).help) {
      process.stdout.write(help);
      process.exit(0);
    }
    return values;
  } catch (err) {
    process.stderr.write(`Error: ${(err as Error).message}\n\n${help}`);
    process.exit(1);
  }
}

/** /var/lib/k8ts as root, ~/.k8ts otherwise (as k3s does with /var/lib/rancher). */
export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/k8ts' : join(homedir(), '.k8ts');
}

export function parseRange(s: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(s);
  if (!m || Number(m[1]) > Number(m[2])) throw new Error(`invalid port range "${s}" (want e.g. 30000-32767)`);
  return [Number(m[1]), Number(m[2])];
}

/** A `--name=true|false` flag, with Go's spellings (as kube-apiserver's flags take them). */
export function parseBoolFlag(name: string, value: string): boolean {
  const b = parseBool(value);
  if (b === undefined) throw new Error(`invalid argument "${value}" for "--${name}" flag: want true or false`);
  return b;
}
