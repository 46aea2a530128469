// The default RBAC policy through real kubectl: the ClusterRoles, bindings and kube-system Roles
// a fresh Kubernetes 1.32 cluster lists, admin/edit/view filled by the aggregation controller
// (user roles labelled aggregate-to-view included), and reconciliation at restart: a deleted
// default comes back, lost rules and subjects are added back, autoupdate=false is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../lib/cluster.js';
import { useCluster, withManifest } from '../lib/fixture.js';

// Only the aggregation controller: nothing else writes RBAC objects.
const { cluster: c } = useCluster({ args: ['--controllers=clusterrole-aggregation-controller', '--disable-scheduler'] });

/** `kubectl get` output as rows keyed by column header, cut at the header's positions (empty cells stay empty). */
async function rows(...args: string[]): Promise<Array<Record<string, string>>> {
  const [header, ...lines] = (await c.k('get', ...args)).replace(/\n$/, '').split('\n');
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index }));
  return lines.map((line) => Object.fromEntries(starts.map((s, i) => [s.name, line.slice(s.at, starts[i + 1]?.at ?? undefined).trim()])));
}

const describe = (what: string): Promise<string> => c.k('describe', what);

/** The names of a real 1.32 cluster's default ClusterRoles. */
const kubernetesClusterRoles = `admin cluster-admin edit view system:aggregate-to-admin system:aggregate-to-edit system:aggregate-to-view
  system:auth-delegator system:basic-user system:certificates.k8s.io:certificatesigningrequests:nodeclient
  system:certificates.k8s.io:certificatesigningrequests:selfnodeclient system:certificates.k8s.io:kube-apiserver-client-approver
  system:certificates.k8s.io:kube-apiserver-client-kubelet-approver system:certificates.k8s.io:kubelet-serving-approver
  system:certificates.k8s.io:legacy-unknown-approver system:controller:attachdetach-controller system:controller:certificate-controller
  system:controller:clusterrole-aggregation-controller system:controller:cronjob-controller system:controller:daemon-set-controller
  system:controller:deployment-controller system:controller:disruption-controller system:controller:endpoint-controller
  system:controller:endpointslice-controller system:controller:endpointslicemirroring-controller system:controller:ephemeral-volume-controller
  system:controller:expand-controller system:controller:generic-garbage-collector system:controller:horizontal-pod-autoscaler
  system:controller:job-controller system:controller:legacy-service-account-token-cleaner system:controller:namespace-controller
  system:controller:node-controller system:controller:persistent-volume-binder system:controller:pod-garbage-collector
  system:controller:pv-protection-controller system:controller:pvc-protection-controller system:controller:replicaset-controller
  system:controller:replication-controller system:controller:resourcequota-controller system:controller:root-ca-cert-publisher
  system:controller:route-controller system:controller:service-account-controller system:controller:service-controller
  system:controller:statefulset-controller system:controller:ttl-after-finished-controller system:controller:ttl-controller
  system:controller:validatingadmissionpolicy-status-controller system:discovery system:heapster system:kube-aggregator
  system:kube-controller-manager system:kube-dns system:kube-scheduler system:kubelet-api-admin system:monitoring system:node
  system:node-bootstrapper system:node-problem-detector system:node-proxier system:persistent-volume-provisioner
  system:public-info-viewer system:service-account-issuer-discovery system:volume-scheduler`.split(/\s+/).filter(Boolean);

test('kubectl get clusterroles lists the defaults with NAME and CREATED AT', async () => {
  const out = await c.k('get', 'clusterroles');
  assert.match(out.split('\n')[0], /^NAME\s+CREATED AT$/);
  const listed = await rows('clusterroles');
  // Plus the roles built-in parts add, as their manifests do on k3s: the metrics server's, the
  // DNS controller's own, the local-path and CSI provisioners', the Ingress status writer's, and the one that lets node agents enforce
  // NetworkPolicies (k3s: system:k3s-controller).
  assert.deepEqual(listed.map((r) => r.NAME).sort(), [...kubernetesClusterRoles, 'system:aggregated-metrics-reader', 'system:k8ts:cluster-dns', 'local-path-provisioner-role', 'system:k8ts-network-policy', 'system:k8ts:csi-provisioner', 'system:k8ts:ingress'].sort());
  for (const r of listed) assert.match(r['CREATED AT'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const admin = JSON.parse(await c.k('get', 'clusterrole', 'cluster-admin', '-o', 'json')) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; rules: unknown };
  assert.equal(admin.metadata.labels['kubernetes.io/bootstrapping'], 'rbac-defaults');
  assert.equal(admin.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate'], 'true');
  assert.deepEqual(admin.rules, [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]);
  const roles = await rows('roles', '-A');
  assert.deepEqual(roles.map((r) => `${r.NAMESPACE}/${r.NAME}`), [
    'kube-public/system:controller:bootstrap-signer',
    'kube-system/extension-apiserver-authentication-reader',
    'kube-system/system::leader-locking-kube-controller-manager',
    'kube-system/system::leader-locking-kube-scheduler',
    'kube-system/system:controller:bootstrap-signer',
    'kube-system/system:controller:cloud-provider',
    'kube-system/system:controller:token-cleaner',
    'kube-system/system:k8ts:cluster-dns',
  ]);
});

test('clusterrolebindings: cluster-admin to system:masters, controllers to their service accounts', async () => {
  const [admin] = await rows('clusterrolebinding', 'cluster-admin', '-o', 'wide');
  assert.deepEqual({ ...admin, AGE: '' }, { NAME: 'cluster-admin', ROLE: 'ClusterRole/cluster-admin', AGE: '', USERS: '', GROUPS: 'system:masters', SERVICEACCOUNTS: '' });
  const all = new Map((await rows('clusterrolebindings', '-o', 'wide')).map((r) => [r.NAME, r]));
  assert.equal(all.get('system:public-info-viewer')?.GROUPS, 'system:authenticated, system:unauthenticated');
  assert.equal(all.get('system:kube-scheduler')?.USERS, 'system:kube-scheduler');
  assert.equal(all.get('system:controller:deployment-controller')?.SERVICEACCOUNTS, 'kube-system/deployment-controller');
  assert.equal(all.get('system:node')?.ROLE, 'ClusterRole/system:node');
  assert.equal(all.get('system:node')?.GROUPS, '', 'system:node is bound to nobody (the Node authorizer serves nodes)');
  assert.equal(all.get('system:k8ts-network-policy')?.GROUPS, 'system:nodes');
});

test('view, edit and admin are aggregated: view reads pods, not secrets; edit writes; admin grants roles', async () => {
  const view = await eventually(async () => {
    const d = await describe('clusterrole/view');
    return / pods +\[\] +\[\] +\[get list watch\]/.test(d) && d;
  });
  assert.match(view, /^Labels: +kubernetes\.io\/bootstrapping=rbac-defaults\n +rbac\.authorization\.k8s\.io\/aggregate-to-edit=true$/m);
  assert.match(view, /^Annotations: +rbac\.authorization\.kubernetes\.io\/autoupdate: true$/m);
  assert.doesNotMatch(view, /secrets/);
  assert.match(view, /^ +pods\.metrics\.k8s\.io +\[\] +\[\] +\[get list watch\]$/m, 'kubectl top works for viewers');
  const edit = await eventually(async () => {
    const d = await describe('clusterrole/edit');
    return /^ +secrets +\[\] +\[\] +\[get list watch create delete deletecollection patch update\]$/m.test(d) && d;
  });
  assert.match(edit, /^ +deployments\.apps +\[\] +\[\] +\[create delete deletecollection patch update get list watch\]$/m);
  await eventually(async () => /^ +rolebindings\.rbac\.authorization\.k8s\.io +\[\] +\[\] +\[create delete deletecollection get list patch update watch\]$/m.test(await describe('clusterrole/admin')));
});

test('a ClusterRole labelled aggregate-to-view shows up in view, edit and admin, and leaves with its label', async () => {
  await withManifest(c, 'apply', `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widget-reader
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules:
- {apiGroups: [example.com], resources: [widgets], verbs: [get, list, watch]}
`);
  for (const role of ['view', 'edit', 'admin']) {
    await eventually(async () => /^ +widgets\.example\.com +\[\] +\[\] +\[get list watch\]$/m.test(await describe(`clusterrole/${role}`)));
  }
  await c.k('label', 'clusterrole', 'widget-reader', 'rbac.authorization.k8s.io/aggregate-to-view-');
  for (const role of ['view', 'edit', 'admin']) await eventually(async () => !(await describe(`clusterrole/${role}`)).includes('widgets'));
  // Rules taken from an aggregated role are put back by the controller.
  await c.k('patch', 'clusterrole', 'edit', '--type=json', '-p', '[{"op":"replace","path":"/rules","value":[]}]');
  await eventually(async () => / pods +\[\] +\[\] +\[create delete/.test(await describe('clusterrole/edit')));
});

test('restart: deleted defaults come back, lost rules and subjects are added, autoupdate=false is left alone', async () => {
  await c.k('delete', 'clusterrole', 'system:basic-user');
  await c.k('delete', 'clusterrolebinding', 'system:discovery');
  await c.k('delete', 'role', '-n', 'kube-system', 'system::leader-locking-kube-scheduler');
  // A default that lost one verb and gained a rule of its owner's.
  await c.k('patch', 'clusterrole', 'system:node-proxier', '--type=json', '-p',
    '[{"op":"replace","path":"/rules/1/verbs","value":["get","list"]},{"op":"add","path":"/rules/-","value":{"apiGroups":["example.com"],"resources":["widgets"],"verbs":["get"]}}]');
  // A default its owner keeps as it is.
  await c.k('annotate', '--overwrite', 'clusterrole', 'system:heapster', 'rbac.authorization.kubernetes.io/autoupdate=false');
  await c.k('patch', 'clusterrole', 'system:heapster', '--type=json', '-p', '[{"op":"remove","path":"/rules/1"}]');
  await c.k('patch', 'clusterrolebinding', 'cluster-admin', '--type=json', '-p',
    '[{"op":"replace","path":"/subjects","value":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"alice"}]}]');
  await c.restart();

  assert.match(await c.k('get', 'clusterrole', 'system:basic-user', '-o', 'name'), /^clusterrole\.rbac\.authorization\.k8s\.io\/system:basic-user$/m);
  assert.match(await c.k('get', 'clusterrolebinding', 'system:discovery', '-o', 'wide'), /system:authenticated/);
  assert.match(await c.k('get', 'role', '-n', 'kube-system', 'system::leader-locking-kube-scheduler', '-o', 'name'), /leader-locking-kube-scheduler/);
  const proxier = JSON.parse(await c.k('get', 'clusterrole', 'system:node-proxier', '-o', 'json')) as { rules: unknown[] };
  assert.deepEqual(proxier.rules.slice(-2), [
    { apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] },
    { apiGroups: [''], resources: ['nodes'], verbs: ['watch'] },
  ], 'the owner\'s rule stays and only the lost verb comes back');
  const heapster = JSON.parse(await c.k('get', 'clusterrole', 'system:heapster', '-o', 'json')) as { rules: unknown[] };
  assert.equal(heapster.rules.length, 1);
  const [admin] = await rows('clusterrolebinding', 'cluster-admin', '-o', 'wide');
  assert.equal(admin.USERS, 'alice');
  assert.equal(admin.GROUPS, 'system:masters');
});
