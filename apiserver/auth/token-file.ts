// Static bearer tokens from a CSV file, as kube-apiserver's --token-auth-file:
// token,user,uid[,"group1,group2"]
import { readFileSync } from 'node:fs';
import type { UserInfo } from '../registry/context.js';
import type { TokenAuthenticator } from './authenticate.js';

export function parseTokenFile(text: string): Map<string, UserInfo> {
  const users = new Map<string, UserInfo>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields: string[] = [];
    const re = /"([^"]*)"|([^,]*)/g;
    let m: RegExpExecArray | null;
    let pos = 0;
    while (pos <= line.length && (m = re.exec(line))) {
      fields.push(m[1] ?? m[2] ?? '');
      pos = re.lastIndex + 1;
      if (line[re.lastIndex] !== ',') break;
      re.lastIndex++;
    }
    const [token, name, uid, groups] = fields;
    if (!token || !name) throw new Error(`token file: line "${line.slice(0, 20)}..." needs at least token,user`);
    users.set(token, { name, uid: uid || undefined, groups: groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [] });
  }
  return users;
}

export function tokenFileAuthenticator(file: string): TokenAuthenticator {
  const users = parseTokenFile(readFileSync(file, 'utf8'));
  return (token) => users.get(token);
}
