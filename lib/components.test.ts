import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planComponents, parseDisable, provides, startComponents, StartAborted, type Component } from './components.js';

/** A component that records its start and stop in `journal`. */
function recorded(journal: string[], name: string, requires: string[] = [], extra: Partial<Component> = {}): Component {
  return {
    name, requires,
    async start() {
      journal.push(`start ${name}`);
      return () => {
        journal.push(`stop ${name}`);
      };
    },
    ...extra,
  };
}

test('starts in dependency order, list order among independent ones, and stops in reverse', async () => {
  const journal: string[] = [];
  const running = await startComponents([
    recorded(journal, 'api', ['storage']),
    recorded(journal, 'pki'),
    recorded(journal, 'storage', ['pki']),
    recorded(journal, 'http', ['api']),
  ]);
  assert.deepEqual(running.names, ['pki', 'storage', 'api', 'http']);
  await running.stop();
  await running.stop();
  assert.deepEqual(journal, ['start pki', 'start storage', 'start api', 'start http', 'stop http', 'stop api', 'stop storage', 'stop pki']);
});

test('a cycle or a missing requirement fails before anything starts', async () => {
  const journal: string[] = [];
  await assert.rejects(startComponents([recorded(journal, 'a', ['c']), recorded(journal, 'b', ['a']), recorded(journal, 'c', ['b'])]),
    /^Error: components require each other in a cycle: a -> c -> b -> a$/);
  await assert.rejects(startComponents([recorded(journal, 'a'), recorded(journal, 'b', ['dns'])]),
    /^Error: "b" requires "dns", which is not a component$/);
  assert.deepEqual(journal, []);
});

test('a failed start stops those started, in reverse, past a stop that fails, and rethrows', async () => {
  const journal: string[] = [];
  const components = [
    recorded(journal, 'a'),
    { ...recorded(journal, 'b', ['a']), start: async () => { journal.push('start b'); return () => { throw new Error('b is stuck'); }; } },
    recorded(journal, 'c', ['b']),
    { name: 'd', requires: ['c'], start: async () => { throw new Error('port in use'); } },
    recorded(journal, 'e', ['d']),
  ];
  await assert.rejects(startComponents(components), /^Error: port in use$/);
  assert.deepEqual(journal, ['start a', 'start b', 'start c', 'stop c', 'stop a']);
});

test('a disabled component does not start; what requires it fails the plan, what starts after it does not', async () => {
  const journal: string[] = [];
  const network = recorded(journal, 'network', ['node'], { optional: true });
  const running = await startComponents([recorded(journal, 'node'), network, recorded(journal, 'pods', ['node'], { after: ['network'] })], { disabled: ['network'] });
  assert.deepEqual(running.names, ['node', 'pods']);
  await running.stop();
  // Running, network starts before the pods that start after it, wherever it is listed.
  assert.deepEqual(planComponents([recorded(journal, 'pods', ['node'], { after: ['network'] }), recorded(journal, 'node'), network]).map((c) => c.name), ['node', 'network', 'pods']);
  assert.throws(() => planComponents([recorded(journal, 'node'), network, recorded(journal, 'dns', ['network'])], ['network']),
    /^Error: "network" cannot be disabled: "dns" requires it$/);
});

test('--disable takes only optional names, and says which there are', () => {
  assert.deepEqual(parseDisable(['network,static-pods', ' network '], ['static-pods', 'network']), ['network', 'static-pods']);
  assert.throws(() => parseDisable(['traefik'], ['static-pods', 'network']),
    /^Error: "traefik" is not in the list of components that can be disabled: network, static-pods$/);
  const journal: string[] = [];
  assert.throws(() => planComponents([recorded(journal, 'runtime')], ['runtime']),
    /^Error: "runtime" is not in the list of components that can be disabled: $/);
});

test('values pass to components that require their provider, including a parent runner\'s', async () => {
  const port = provides<number>('http');
  const http: Component = { name: 'http', requires: [], start: async (ctx) => { ctx.provide(port, 6443); return () => {}; } };
  let seen = 0;
  const first = await startComponents([http]);
  const second = await startComponents([{ name: 'agent', requires: ['http'], start: async (ctx) => { seen = ctx.get(port); return () => {}; } }], { parent: first });
  assert.equal(seen, 6443);
  assert.deepEqual(second.names, ['http', 'agent']);
  await assert.rejects(startComponents([http, { name: 'sneaky', requires: [], start: async (ctx) => { ctx.get(port); return () => {}; } }]),
    /^Error: component "sneaky" reads "http" without requiring it$/);
  await second.stop();
  await first.stop();
});

test('aborting a start in progress stops what started and rejects as aborted', async () => {
  const journal: string[] = [];
  const stopper = new AbortController();
  const waitsForApi: Component = {
    name: 'register', requires: [],
    start: async (ctx) => {
      journal.push('start register');
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      return () => { journal.push('stop register'); };
    },
  };
  const starting = startComponents([waitsForApi, recorded(journal, 'pods', ['register'])], { signal: stopper.signal });
  setImmediate(() => stopper.abort());
  await assert.rejects(starting, StartAborted);
  assert.deepEqual(journal, ['start register', 'stop register']);
});
