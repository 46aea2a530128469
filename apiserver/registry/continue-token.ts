// Continue tokens for paged lists, in Kubernetes' shape: base64 of
// {"v":"meta.k8s.io/v1","rv":<list revision>,"start":"<key after the last item>"}.
import { badRequest } from '../api/errors.js';

export interface ContinueToken {
  rv: number;
  /** Key suffix (relative to the list prefix) to resume after. */
  after: string;
}

export function encodeContinue(rv: number, prefix: string, lastKey: string): string {
  const start = lastKey.slice(prefix.length) + '\u0000';
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64');
}

export function decodeContinue(token: string): ContinueToken {
  let parsed: { v?: string; rv?: number; start?: string };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw badRequest('continue key is not valid: illegal base64 data or JSON');
  }
  if (parsed.v !== 'meta.k8s.io/v1') throw badRequest('continue key is not valid: server does not recognize this encoded key');
  if (typeof parsed.rv !== 'number' || typeof parsed.start !== 'string' || parsed.start.includes('..')) {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  const start = parsed.start.endsWith('\u0000') ? parsed.start.slice(0, -1) : parsed.start;
  return { rv: parsed.rv, after: start };
}
