import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, get, type ServerResponse } from 'node:http';
import { alreadyExists, notFound, tooManyRequests } from '../api/errors.js';
import { sendError } from './respond.js';

/** What a client receives when a handler fails with `err`. */
async function answer(fail: (res: ServerResponse) => void, path = '/', headers: Record<string, string> = {}): Promise<{ code: number; retryAfter?: string; body: string }> {
  const server = createServer((_req, res) => fail(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, path, headers }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
      }).on('error', reject);
    });
  } finally {
    server.close();
  }
}

test('a Status that asks to retry says when in the Retry-After header', async () => {
  const busy = await answer((res) => sendError(res, tooManyRequests('slow down', 3)));
  assert.equal(busy.code, 429);
  assert.equal(busy.retryAfter, '3');
  assert.equal(JSON.parse(busy.body).details.retryAfterSeconds, 3);
  const missing = await answer((res) => sendError(res, notFound({ group: '', resource: 'pods' }, 'p')));
  assert.equal(missing.code, 404);
  assert.equal(missing.retryAfter, undefined);
});

test('an error body is the Status as Kubernetes encodes it, ending with a newline', async () => {
  const taken = await answer((res) => sendError(res, alreadyExists({ group: '', resource: 'configmaps' }, 'cfg')));
  assert.equal(taken.code, 409);
  assert.equal(taken.body, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"cfg\\" already exists","reason":"AlreadyExists","details":{"name":"cfg","kind":"configmaps"},"code":409}\n');
});

test('pretty=true, curl and browsers get the Status indented, as json.MarshalIndent writes it', async () => {
  const fail = (res: ServerResponse) => sendError(res, notFound({ group: '', resource: 'pods' }, 'p'));
  const indented = '{\n  "kind": "Status",\n  "apiVersion": "v1",\n  "metadata": {},\n  "status": "Failure",\n  "message": "pods \\"p\\" not found",\n  "reason": "NotFound",\n  "details": {\n    "name": "p",\n    "kind": "pods"\n  },\n  "code": 404\n}';
  assert.equal((await answer(fail, '/?pretty=True')).body, indented);
  assert.equal((await answer(fail, '/', { 'User-Agent': 'curl/8.5.0' })).body, indented);
  // strconv.ParseBool refuses "yes": not pretty, even for curl.
  assert.ok((await answer(fail, '/?pretty=yes', { 'User-Agent': 'curl/8.5.0' })).body.startsWith('{"kind":"Status"'));
  assert.ok((await answer(fail, '/?pretty=0')).body.endsWith('"code":404}\n'));
});
