import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caHash, formatJoinToken, newBootstrapToken, parseBootstrapToken, parseJoinToken } from './bootstrap-token.js';

const hash = caHash('-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');

test('join tokens: the server form, the bootstrap form, and what is neither', () => {
  assert.deepEqual(parseJoinToken(`K10${hash}::server:abc123`), { caHash: hash, serverSecret: 'abc123' });
  assert.deepEqual(parseJoinToken(formatJoinToken(hash, 'abcdef.0123456789abcdef')), { caHash: hash, bootstrap: { id: 'abcdef', secret: '0123456789abcdef' } });
  assert.deepEqual(parseJoinToken('abcdef.0123456789abcdef'), { caHash: undefined, bootstrap: { id: 'abcdef', secret: '0123456789abcdef' } });
  assert.equal(parseJoinToken(`K10${hash}::server:`), undefined);
  assert.equal(parseJoinToken('ABCDEF.0123456789abcdef'), undefined);
  assert.equal(parseJoinToken(`K10${hash.slice(1)}::abcdef.0123456789abcdef`), undefined, 'a short hash is not a K10 token');
});

test('new bootstrap tokens have kubeadm\'s shape and differ', () => {
  const a = newBootstrapToken();
  const b = newBootstrapToken();
  assert.ok(parseBootstrapToken(`${a.id}.${a.secret}`));
  assert.notDeepEqual(a, b);
});
