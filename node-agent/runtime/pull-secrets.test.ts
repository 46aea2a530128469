import { test } from 'node:test';
import assert from 'node:assert/strict';
import { credentialsFor, imageRepository, normalizeLocation } from './pull-secrets.js';
import type { Secret } from '../kube-types.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const dockerconfig = (auths: Record<string, unknown>): Secret => ({
  metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
});

test('locations and repositories normalize like the keyring', () => {
  assert.equal(normalizeLocation('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(normalizeLocation('REG.example.com:5000/team/'), 'reg.example.com:5000/team');
  assert.equal(imageRepository('busybox'), 'docker.io/library/busybox');
  assert.equal(imageRepository('127.0.0.1:5000/library/busybox:latest'), '127.0.0.1:5000/library/busybox');
  assert.equal(imageRepository('reg.io/a/b@sha256:abc'), 'reg.io/a/b');
});

test('matching entries become CRI AuthConfigs, longest match first', () => {
  const secrets = [
    dockerconfig({ 'reg.io': { username: 'u1', password: 'p1' }, 'reg.io/team': { auth: b64('u2:p:2') }, 'other.io': { username: 'x' } }),
    { metadata: { name: 'old' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64(JSON.stringify({ '*.corp.io': { username: 'c', password: 'd' } })) } } as Secret,
  ];
  assert.deepEqual(credentialsFor('reg.io/team/app:1', secrets).map((c) => c.auth), [
    { username: 'u2', password: 'p:2' },
    { username: 'u1', password: 'p1' },
  ]);
  assert.deepEqual(credentialsFor('reg.io/teamx/app', secrets).map((c) => c.auth.username), ['u1']);
  assert.deepEqual(credentialsFor('eu.corp.io/app', secrets).map((c) => c.auth.username), ['c']);
  assert.deepEqual(credentialsFor('busybox', [dockerconfig({ 'https://index.docker.io/v1/': { username: 'hub', password: 'p' } })]).map((c) => c.location), ['docker.io']);
  assert.deepEqual(credentialsFor('nginx', secrets), []);
});
