import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinRegistry } from './builtin/index.js';
import { storageVersionHash } from './storage-version-hash.js';

// What Kubernetes 1.32 publishes (its storage version hash test data), by group/version/resource.
const published: Record<string, string> = {
  'v1/configmaps': 'qFsyl6wFWjQ=', 'v1/endpoints': 'fWeeMqaN/OA=', 'v1/events': 'r2yiGXH7wu8=',
  'v1/limitranges': 'EBKMFVe6cwo=', 'v1/namespaces': 'Q3oi5N2YM8M=', 'v1/nodes': 'XwShjMxG9Fs=',
  'v1/persistentvolumeclaims': 'QWTyNDq0dC4=', 'v1/persistentvolumes': 'HN/zwEC+JgM=', 'v1/pods': 'xPOwRZ+Yhw8=',
  'v1/podtemplates': 'LIXB2x4IFpk=', 'v1/replicationcontrollers': 'Jond2If31h0=', 'v1/resourcequotas': '8uhSgffRX6w=',
  'v1/secrets': 'S6u1pOWzb84=', 'v1/serviceaccounts': 'pbx9ZvyFpBE=', 'v1/services': '0/CO1lhkEBI=',
  'autoscaling/v1/horizontalpodautoscalers': 'qwQve8ut294=', 'autoscaling/v2/horizontalpodautoscalers': 'qwQve8ut294=',
  'batch/v1/jobs': 'mudhfqk/qZY=', 'batch/v1/cronjobs': 'sd5LIXh4Fjs=',
  'certificates.k8s.io/v1/certificatesigningrequests': '95fRKMXA+00=', 'coordination.k8s.io/v1/leases': 'gqkMMb/YqFM=',
  'discovery.k8s.io/v1/endpointslices': 'qgS0xkrxYAI=', 'networking.k8s.io/v1/networkpolicies': 'YpfwF18m1G8=',
  'networking.k8s.io/v1/ingresses': '39NQlfNR+bo=', 'networking.k8s.io/v1/ingressclasses': 'l/iqIbDgFyQ=',
  'networking.k8s.io/v1/ipaddresses': 'O4H8VxQhW5Y=', 'networking.k8s.io/v1/servicecidrs': '8ufAXOnr3Yg=',
  'node.k8s.io/v1/runtimeclasses': 'WQTu1GL3T2Q=', 'policy/v1/poddisruptionbudgets': 'EVWiDmWqyJw=',
  'rbac.authorization.k8s.io/v1/clusterrolebindings': '48tpQ8gZHFc=', 'rbac.authorization.k8s.io/v1/clusterroles': 'bYE5ZWDrJ44=',
  'rbac.authorization.k8s.io/v1/rolebindings': 'eGsCzGH6b1g=', 'rbac.authorization.k8s.io/v1/roles': '7FuwZcIIItM=',
  'scheduling.k8s.io/v1/priorityclasses': '1QwjyaZjj3Y=', 'storage.k8s.io/v1/csidrivers': 'hL6j/rwBV5w=',
  'storage.k8s.io/v1/csinodes': 'Pe62DkZtjuo=', 'storage.k8s.io/v1/storageclasses': 'K+m6uJwbjGY=',
  'storage.k8s.io/v1/csistoragecapacities': 'xeVl+2Ly1kE=', 'storage.k8s.io/v1/volumeattachments': 'tJx/ezt6UDU=',
  'apps/v1/controllerrevisions': '85nkx63pcBU=', 'apps/v1/daemonsets': 'dd7pWHUlMKQ=', 'apps/v1/deployments': '8aSe+NMegvE=',
  'apps/v1/replicasets': 'P1RzHs8/mWQ=', 'apps/v1/statefulsets': 'H+vl74LkKdo=',
  // Stored as core v1 Events, the storage both Event APIs share.
  'events.k8s.io/v1/events': 'r2yiGXH7wu8=',
};
// Resources Kubernetes publishes with no hash: nothing of theirs is stored.
const unstored = [
  'v1/bindings', 'v1/componentstatuses', 'authentication.k8s.io/v1/selfsubjectreviews', 'authentication.k8s.io/v1/tokenreviews',
  'authorization.k8s.io/v1/localsubjectaccessreviews', 'authorization.k8s.io/v1/selfsubjectaccessreviews',
  'authorization.k8s.io/v1/selfsubjectrulesreviews', 'authorization.k8s.io/v1/subjectaccessreviews',
];

test('every built-in resource publishes the storage version hash Kubernetes does, or none where it stores nothing', () => {
  const registry = builtinRegistry();
  const served = new Map<string, string | undefined>();
  for (const g of registry.groups()) {
    for (const v of g.versions) {
      for (const def of registry.resourcesAt(g.name, v)) served.set(`${g.name ? `${g.name}/` : ''}${v}/${def.plural}`, storageVersionHash(def));
    }
  }
  let compared = 0;
  for (const [gvr, hash] of Object.entries(published)) {
    if (!served.has(gvr)) continue;
    assert.equal(served.get(gvr), hash, gvr);
    compared++;
  }
  for (const gvr of unstored) {
    assert.ok(served.has(gvr), `${gvr} is served`);
    assert.equal(served.get(gvr), undefined, gvr);
  }
  assert.ok(compared >= 40, `only ${compared} resources compared`);
});
