import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { anonymous, Authenticator } from './authenticate.js';

const request = (headers: Record<string, string> = {}) => ({ headers, socket: { authorized: false } }) as unknown as IncomingMessage;

test('a request without credentials is system:anonymous, unless anonymous auth is off', async () => {
  assert.deepEqual(await new Authenticator().authenticate(request()), anonymous);
  assert.equal(await new Authenticator({ anonymous: false }).authenticate(request()), undefined);
});

test('a bearer token no authenticator knows is refused, not made anonymous', async () => {
  const authn = new Authenticator();
  authn.addTokenAuthenticator((t) => (t === 'good' ? { name: 'alice', groups: ['dev'] } : undefined));
  assert.equal(await authn.authenticate(request({ authorization: 'Bearer bad' })), undefined);
  assert.deepEqual(await authn.authenticate(request({ authorization: 'Bearer good' })), { name: 'alice', groups: ['dev', 'system:authenticated'] });
});
