// The resourceVersion an update carries, read as Kubernetes' Update reads it: the same rule for a
// replace and for a patch whose result sets or drops it. A real LevelDB store, no admission.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '../api/builtin/index.js';
import type { KubeObject } from '../api/object.js';
import { openStore } from '../storage/open.js';
import type { RevisionStore } from '../storage/revision-store.js';
import { noAdmission, systemUser, type RequestContext } from './context.js';
import { RestStore } from './rest-store.js';

const ctx: RequestContext = { user: systemUser, namespace: 'default', dryRun: false };
const configMaps = builtinRegistry().definition('', 'configmaps')!;
// A kind that, as custom resources do, refuses updates without a resourceVersion.
const conditionalOnly = { ...configMaps, behaviour: { ...configMaps.behaviour, allowUnconditionalUpdate: false } };

/** The HTTP code and message a write fails with, or 'ok'. */
async function outcome(write: Promise<unknown>): Promise<string> {
  try {
    await write;
    return 'ok';
  } catch (err) {
    const status = (err as { status?: { code: number; message: string } }).status;
    if (!status) throw err;
    return `${status.code} ${status.message}`;
  }
}

describe('update preconditions', () => {
  let dir: string;
  let store: RevisionStore;
  let rs: RestStore;
  let strict: RestStore;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-rest-store-'));
    store = await openStore(dir);
    rs = new RestStore(configMaps, store, noAdmission);
    strict = new RestStore(conditionalOnly, store, noAdmission);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const make = async (name: string): Promise<KubeObject> => rs.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } }, ctx);
  /** A patch-like write: whatever `edit` leaves in metadata.resourceVersion is the precondition. */
  const patchLike = (store: RestStore, name: string, edit: (o: KubeObject) => void) =>
    store.guaranteedUpdate('default', name, ctx, (cur) => {
      edit(cur);
      return cur;
    }, { preconditionFromObject: true });

  it('a replace with "0" or without a resourceVersion is unconditional; a stale one is a conflict', async () => {
    const cm = await make('replace');
    const stale = cm.metadata.resourceVersion;
    await rs.update('default', 'replace', { ...structuredClone(cm), data: { a: '2' } }, ctx);
    assert.equal(await outcome(rs.update('default', 'replace', { ...structuredClone(cm), metadata: { name: 'replace', resourceVersion: stale } }, ctx)),
      '409 Operation cannot be fulfilled on configmaps "replace": the object has been modified; please apply your changes to the latest version and try again');
    assert.equal(await outcome(rs.update('default', 'replace', { metadata: { name: 'replace', resourceVersion: '0' }, data: { a: '3' } }, ctx)), 'ok');
    assert.equal(await outcome(rs.update('default', 'replace', { metadata: { name: 'replace' }, data: { a: '4' } }, ctx)), 'ok');
    assert.deepEqual((await rs.get('default', 'replace')).value.includes('"a":"4"'), true);
  });

  it('a patch whose result sets a stale resourceVersion is a conflict; "0" or none is unconditional', async () => {
    const cm = await make('patch');
    const stale = cm.metadata.resourceVersion;
    await patchLike(rs, 'patch', (o) => { o.data = { a: '2' }; });
    assert.match(await outcome(patchLike(rs, 'patch', (o) => { o.metadata.resourceVersion = stale; o.data = { a: '3' }; })), /^409 /);
    assert.equal(await outcome(patchLike(rs, 'patch', (o) => { o.metadata.resourceVersion = '0'; o.data = { a: '4' }; })), 'ok');
    assert.equal(await outcome(patchLike(rs, 'patch', (o) => { delete o.metadata.resourceVersion; o.data = { a: '5' }; })), 'ok');
    assert.equal(await outcome(patchLike(rs, 'patch', (o) => { o.data = { a: '6' }; })), 'ok');
    assert.equal(await outcome(patchLike(rs, 'patch', (o) => { o.metadata.resourceVersion = 'x'; })), '400 invalid resource version: "x"');
  });

  it('concurrent patches that leave the resourceVersion alone are all applied (a lost race is retried)', async () => {
    await make('busy');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => outcome(patchLike(rs, 'busy', (o) => { o.data = { ...(o.data as Record<string, string>), [`k${i}`]: 'v' }; }))));
    assert.deepEqual(results, Array(8).fill('ok'));
    const data = (JSON.parse(rs.get('default', 'busy').value) as { data: Record<string, string> }).data;
    assert.deepEqual(Object.keys(data).sort(), ['a', 'k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
  });

  it('a kind that refuses unconditional updates names the resource, as Kubernetes does', async () => {
    await make('strict');
    const expected = '422 configmaps "strict" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update';
    assert.equal(await outcome(strict.update('default', 'strict', { metadata: { name: 'strict', resourceVersion: '0' }, data: {} }, ctx)), expected);
    assert.equal(await outcome(patchLike(strict, 'strict', (o) => { delete o.metadata.resourceVersion; })), expected);
    assert.equal(await outcome(patchLike(strict, 'strict', (o) => { o.data = { a: '2' }; })), 'ok');
  });
});

describe('create order', () => {
  it('generates a name after mutating admission and before validating admission, as Kubernetes does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-rest-store-'));
    const store = await openStore(dir);
    try {
      // Records the name each admission phase is given (a recorder in place of the plugin chain).
      const seen: string[] = [];
      const recorder = {
        mutate: async (a: { name: string; object?: KubeObject }) => void seen.push(`mutate ${a.name} ${a.object?.metadata.name ?? '-'}`),
        validate: async (a: { name: string; object?: KubeObject }) => void seen.push(`validate ${a.name === a.object?.metadata.name ? 'generated' : a.name}`),
      };
      const rs = new RestStore(configMaps, store, recorder);
      const created = await rs.create('default', { metadata: { generateName: 'gen-' } }, ctx);
      assert.match(created.metadata.name ?? '', /^gen-[a-z0-9]{5}$/);
      await rs.create('default', { metadata: { name: 'named' } }, ctx);
      assert.deepEqual(seen, ['mutate gen- -', 'validate generated', 'mutate named named', 'validate generated']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
