import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { builtinRegistry } from '../api/builtin/index.js';
import type { KV } from '../storage/interfaces.js';
import { matcher } from './list.js';
import { parseListQuery } from './list-query.js';
import { RestStore } from './rest-store.js';

const registry = builtinRegistry();
// Matching reads only the definition and the key layout: no storage or admission behind it.
const storeOf = (plural: string): RestStore => new RestStore(registry.definition('', plural)!, undefined as never, undefined as never);
const kv = (key: string, value: string): KV => ({ key, value, createRevision: 1, modRevision: 1 });
const query = (rs: RestStore, params: string) => parseListQuery(rs.def, new URLSearchParams(params));

describe('matcher', () => {
  it('matches name and namespace from the storage key, without parsing the object', () => {
    const configMaps = storeOf('configmaps');
    const match = matcher(configMaps, query(configMaps, 'fieldSelector=metadata.name=kube-root-ca.crt,metadata.namespace!=kube-system'))!;
    // Values that are not JSON: a match that parsed them would throw.
    assert.equal(match(kv(`${configMaps.def.storagePrefix}default/kube-root-ca.crt`, 'not json')), true);
    assert.equal(match(kv(`${configMaps.def.storagePrefix}kube-system/kube-root-ca.crt`, 'not json')), false);
    assert.equal(match(kv(`${configMaps.def.storagePrefix}default/other`, 'not json')), false);
    const namespaces = storeOf('namespaces');
    const byName = matcher(namespaces, query(namespaces, 'fieldSelector=metadata.name=default'))!;
    assert.equal(byName(kv(`${namespaces.def.storagePrefix}default`, 'not json')), true);
    assert.equal(byName(kv(`${namespaces.def.storagePrefix}kube-public`, 'not json')), false);
  });

  it('reads the object for labels and other fields', () => {
    const pods = storeOf('pods');
    const pod = (node: string) => kv(`${pods.def.storagePrefix}default/p`, JSON.stringify({ metadata: { name: 'p', namespace: 'default', labels: { app: 'web' } }, spec: { nodeName: node } }));
    const onNode = matcher(pods, query(pods, 'fieldSelector=spec.nodeName=n1,metadata.name=p'))!;
    assert.equal(onNode(pod('n1')), true);
    assert.equal(onNode(pod('n2')), false);
    const labelled = matcher(pods, query(pods, 'labelSelector=app=web&fieldSelector=metadata.name=p'))!;
    assert.equal(labelled(pod('n1')), true);
    assert.equal(matcher(pods, query(pods, '')), undefined);
  });
});

describe('parseListQuery', () => {
  const configMaps = storeOf('configmaps');
  const refused = (params: string, watch: boolean) => {
    try {
      parseListQuery(configMaps.def, new URLSearchParams(params), watch);
    } catch (err) {
      const status = (err as { status: { code: number; message: string } }).status;
      return `${status.code} ${status.message}`;
    }
    return 'accepted';
  };

  it('checks resourceVersionMatch and sendInitialEvents as Kubernetes does, lists and watches apart', () => {
    assert.equal(refused('resourceVersionMatch=Exact', false),
      '422 ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    assert.equal(refused('resourceVersion=0&resourceVersionMatch=Exact', false),
      '422 ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    assert.equal(refused('sendInitialEvents=true', false), '422 ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list');
    assert.equal(refused('resourceVersion=5&resourceVersionMatch=NotOlderThan', false), 'accepted');
    // client-go's first watch-list sends no resourceVersion.
    assert.equal(refused('sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true', true), 'accepted');
    assert.equal(refused('sendInitialEvents=true', true),
      '422 ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    assert.equal(refused('resourceVersionMatch=NotOlderThan', true),
      '422 ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
    assert.equal(refused('sendInitialEvents=true&resourceVersionMatch=Exact', true),
      '422 ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]');
  });

  it('reads allowWatchBookmarks and sendInitialEvents spelled as any client spells them', () => {
    const q = (s: string) => parseListQuery(configMaps.def, new URLSearchParams(s), true);
    const watchList = 'resourceVersionMatch=NotOlderThan&sendInitialEvents=';
    assert.deepEqual([q(`${watchList}True&allowWatchBookmarks=True`).sendInitialEvents, q('allowWatchBookmarks=True').allowWatchBookmarks], [true, true]);
    assert.deepEqual([q(`${watchList}1&allowWatchBookmarks=1`).sendInitialEvents, q('allowWatchBookmarks=1').allowWatchBookmarks], [true, true]);
    assert.deepEqual([q(`${watchList}False`).sendInitialEvents, q('allowWatchBookmarks=FALSE').allowWatchBookmarks], [false, false]);
    assert.equal(q('').sendInitialEvents, undefined);
  });
});
