// A throwaway image registry for tests: Debian's docker-registry (distribution 2.x) on
// 127.0.0.1 only, with its own config and storage in a temp dir, optionally behind
// htpasswd basic auth. Images are pushed into it with skopeo over plain http.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execOk, hostExec, type Exec } from '../../lib/exec.js';
import { logger } from '../../lib/log.js';

const log = logger('test-registry');

export interface RegistryOptions {
  /** Holds config.yml, data/, registry.log and htpasswd. */
  dir: string;
  port?: number;
  /** Require these credentials (htpasswd basic auth). */
  auth?: { username: string; password: string };
  binary?: string;
  exec?: Exec;
}

export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * An htpasswd line with a bcrypt hash (the only scheme docker-registry accepts), made by
 * perl's crypt() - perl-base is Essential on Debian/Ubuntu and libxcrypt does bcrypt.
 * Cost 4: the registry checks the hash on every request.
 */
async function bcryptHtpasswd(exec: Exec, user: string, password: string): Promise<string> {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const salt = [...randomBytes(22)].map((b) => alphabet[b % 64]).join('');
  const r = await execOk(exec, 'perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$04$${salt}`]);
  if (!r.stdout.startsWith('$2b$04$')) throw new Error(`perl crypt() did not produce bcrypt: ${r.stdout}`);
  return `${user}:${r.stdout}\n`;
}

function configYaml(dir: string, port: number, auth: boolean): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(join(dir, 'data'))}`,
    '  delete:',
    '    enabled: true',
    'http:',
    // Loopback only: Debian's packaged config listens on every interface.
    `  addr: 127.0.0.1:${port}`,
    ...(auth ? ['auth:', '  htpasswd:', '    realm: k8ts-test', `    path: ${JSON.stringify(join(dir, 'htpasswd'))}`] : []),
    '',
  ].join('\n');
}

async function waitUp(host: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode} (port busy?)`);
    try {
      const r = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200 || r.status === 401) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`docker-registry on ${host} not up after ${timeoutMs} ms`);
}

export async function startRegistry(opts: RegistryOptions): Promise<TestRegistry> {
  const exec = opts.exec ?? hostExec;
  const port = opts.port ?? 5000;
  const host = `127.0.0.1:${port}`;
  await mkdir(join(opts.dir, 'data'), { recursive: true });
  if (opts.auth) await writeFile(join(opts.dir, 'htpasswd'), await bcryptHtpasswd(exec, opts.auth.username, opts.auth.password));
  const config = join(opts.dir, 'config.yml');
  await writeFile(config, configYaml(opts.dir, port, !!opts.auth));
  const logFile = await open(join(opts.dir, 'registry.log'), 'a');
  const child = spawn(opts.binary ?? 'docker-registry', ['serve', config], { stdio: ['ignore', logFile.fd, logFile.fd] });
  await logFile.close();
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  try {
    await waitUp(host, child, 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  log.info({ host, pid: child.pid, auth: !!opts.auth }, 'test registry up');
  return { host, pid: child.pid, stop };
}

export interface PushOptions {
  creds?: { username: string; password: string };
  exec?: Exec;
  /** Signature policy file; default: a temp accept-anything policy written beside `layout`. */
  policyFile?: string;
  signal?: AbortSignal;
}

/** Copies `oci:<layout>:<tag>` to `docker://<dest>` over plain http. */
export async function pushImage(layout: string, tag: string, dest: string, opts: PushOptions = {}): Promise<void> {
  const exec = opts.exec ?? hostExec;
  const policy = opts.policyFile ?? join(layout, '..', 'skopeo-policy.json');
  if (!opts.policyFile) await writeFile(policy, '{"default":[{"type":"insecureAcceptAnything"}]}\n');
  const args = ['--policy', policy, 'copy', '--quiet', '--dest-tls-verify=false'];
  if (opts.creds) args.push('--dest-creds', `${opts.creds.username}:${opts.creds.password}`);
  args.push(`oci:${layout}:${tag}`, `docker://${dest}`);
  const t0 = performance.now();
  await execOk(exec, 'skopeo', args, { signal: opts.signal });
  log.info({ src: `${layout}:${tag}`, dest, ms: Math.round(performance.now() - t0) }, 'pushed image');
}
