import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTokenFile } from './token-file.js';

test('token file lines map tokens to users and groups', () => {
  const users = parseTokenFile('# comment\nabc,alice,u1,"system:masters,dev"\ndef,bob,u2\n');
  assert.deepEqual(users.get('abc'), { name: 'alice', uid: 'u1', groups: ['system:masters', 'dev'] });
  assert.deepEqual(users.get('def'), { name: 'bob', uid: 'u2', groups: [] });
  assert.equal(users.get('zzz'), undefined);
});

test('a line without a user is refused', () => {
  assert.throws(() => parseTokenFile('lonely\n'), /needs at least token,user/);
});
