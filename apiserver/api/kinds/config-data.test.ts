import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMapStrategy, configMapTable } from './configmap.js';
import { secretStrategy, secretTable } from './secret.js';
import { serviceAccountTable } from './service-account.js';
import { created, row, updated } from './strategy-testing.js';
import type { KubeObject } from '../object.js';

const cm = (extra: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, ...extra });
const secret = (extra: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, ...extra });
const b64 = (s: string) => Buffer.from(s).toString('base64');

test('configmap keys and size', () => {
  assert.deepEqual(created(configMapStrategy, cm({ data: { 'a b': 'x' } })).errors, [
    `data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
  ]);
  assert.deepEqual(created(configMapStrategy, cm({ data: { a: 'x' }, binaryData: { a: b64('y') } })).errors, ['data[a]: Invalid value: "a": duplicate of key present in binaryData']);
  assert.deepEqual(created(configMapStrategy, cm({ data: { big: 'x'.repeat(1024 * 1024 + 1) } })).errors, [': Too long: may not be more than 1048576 bytes']);
});

test('immutable configmaps keep their data and flag', () => {
  const old = cm({ data: { a: '1' }, immutable: true });
  assert.deepEqual(updated(configMapStrategy, old, cm({ data: { a: '2' }, immutable: true })).errors, ['data: Forbidden: field is immutable when `immutable` is set']);
  assert.deepEqual(updated(configMapStrategy, old, cm({ data: { a: '1' }, immutable: false })).errors, ['immutable: Forbidden: field is immutable when `immutable` is set']);
  assert.deepEqual(updated(configMapStrategy, old, cm({ data: { a: '1' }, immutable: true, metadata: { name: 'c', labels: { x: 'y' } } })).errors, []);
});

test('secrets: Opaque by default, stringData folded into data', () => {
  const { obj, errors } = created(secretStrategy, secret({ data: { a: b64('1') }, stringData: { b: 'two', a: 'one' } }));
  assert.deepEqual(errors, []);
  assert.equal(obj.type, 'Opaque');
  assert.deepEqual(obj.data, { a: b64('one'), b: b64('two') });
  assert.equal(obj.stringData, undefined);
});

test('secret types require their keys', () => {
  assert.deepEqual(created(secretStrategy, secret({ type: 'kubernetes.io/tls', data: {} })).errors, ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
  assert.deepEqual(created(secretStrategy, secret({ type: 'kubernetes.io/basic-auth' })).errors, ['data[username]: Required value', 'data[password]: Required value']);
  assert.deepEqual(created(secretStrategy, secret({ type: 'kubernetes.io/ssh-auth' })).errors, ['data[ssh-privatekey]: Required value']);
  assert.deepEqual(created(secretStrategy, secret({ type: 'kubernetes.io/dockerconfigjson' })).errors, ['data[.dockerconfigjson]: Required value']);
  assert.deepEqual(created(secretStrategy, secret({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('xyz') } })).errors,
    ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character \'x\' looking for beginning of value']);
  assert.deepEqual(created(secretStrategy, secret({ type: 'kubernetes.io/service-account-token' })).errors, ['metadata.annotations[kubernetes.io/service-account.name]: Required value']);
  assert.deepEqual(created(secretStrategy, secret({ type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c', 'tls.key': 'k' } })).errors, []);
});

test('a secret type never changes; malformed base64 is a decode error', () => {
  assert.deepEqual(updated(secretStrategy, secret({ type: 'Opaque' }), secret({ type: 'Other' })).errors, ['type: Invalid value: "Other": field is immutable']);
  assert.throws(() => created(secretStrategy, secret({ data: { a: 'not base64!' } })), { message: 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3' });
});

test('tables: DATA counts, TYPE, SECRETS', () => {
  assert.deepEqual(row(configMapTable, cm({ data: { a: '1' }, binaryData: { b: b64('x') } })), ['c', 2, '60s']);
  assert.deepEqual(row(secretTable, secret({ type: 'Opaque', data: { a: b64('1') } })), ['s', 'Opaque', 1, '60s']);
  assert.deepEqual(row(serviceAccountTable, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }), ['default', 0, '60s']);
});
