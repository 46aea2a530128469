// Which agent a Node belongs to: a random ID kept in the agent's data dir and shown on its Node
// as the k8ts.io/node-id annotation. Another agent (another host, or another data dir on this
// one) joining under the same name is refused instead of taking the Node over, as k3s refuses a
// duplicate hostname by its node password.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentPaths } from '../config.js';

export const nodeIdAnnotation = 'k8ts.io/node-id';

/** This agent's ID, made on first use. */
export function nodeIdentity(dataDir: string): string {
  const root = agentPaths(dataDir).root;
  const file = join(root, 'node-id');
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (id) return id;
  }
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const id = randomBytes(16).toString('hex');
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}
