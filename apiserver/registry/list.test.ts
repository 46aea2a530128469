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
