// The server's join token, made on first start as k3s makes it: a random secret kept in
// <data-dir>/token, and <data-dir>/node-token holding "K10<CA hash>::server:<secret>" for the
// join command. A restart reuses the secret, so tokens already handed out keep working.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caHash, formatJoinToken } from '../../lib/bootstrap-token.js';

export interface ServerJoinToken {
  secret: string;
  /** What `k8ts agent --token` takes. */
  token: string;
  nodeTokenPath: string;
}

export function ensureServerJoinToken(dataDir: string, caPem: string): ServerJoinToken {
  const secretPath = join(dataDir, 'token');
  let secret = existsSync(secretPath) ? readFileSync(secretPath, 'utf8').trim() : '';
  if (!secret) {
    secret = randomBytes(16).toString('hex');
    writeFileSync(secretPath, `${secret}\n`, { mode: 0o600 });
  }
  const token = formatJoinToken(caHash(caPem), `server:${secret}`);
  const nodeTokenPath = join(dataDir, 'node-token');
  writeFileSync(nodeTokenPath, `${token}\n`, { mode: 0o600 });
  return { secret, token, nodeTokenPath };
}
