// PersistentVolumes and claims end to end through real kubectl, on a server with simulated
// nodes: static binding (smallest fit, class, selector, volumeName), the pv.kubernetes.io
// annotations, phases and `kubectl get pv,pvc` columns, Pending claims explained by events,
// Retain/Delete reclaim, the protection finalizers, the default local-path class with
// WaitForFirstConsumer (the scheduler's selected-node, the provisioner's volume, the helper
// pod that deletes it) and pods kept out by unbound immediate claims.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../lib/cluster.js';
import { useCluster, withManifest } from '../lib/fixture.js';

const { cluster: c } = useCluster({ nodes: [{ name: 'node-a', args: ['--pod-run-duration', '1s'] }] });
const apply = (yaml: string): Promise<string> => withManifest(c, 'apply', yaml);
type Obj = { metadata: { name: string; annotations?: Record<string, string>; finalizers?: string[]; deletionTimestamp?: string }; spec: Record<string, any>; status: Record<string, any> };
const get = async (...args: string[]): Promise<Obj> => JSON.parse(await c.k('get', ...args, '-o', 'json')) as Obj;
const phase = async (kind: string, name: string): Promise<string> => c.k('get', kind, name, '-o', 'jsonpath={.status.phase}');
const waitPhase = (kind: string, name: string, want: string) => eventually(async () => (await phase(kind, name)) === want, 30_000);
const events = (name: string) => c.k('get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'custom-columns=TYPE:.type,REASON:.reason,FROM:.source.component,MESSAGE:.message', '--no-headers');
const eventMatching = (name: string, re: RegExp) => eventually(async () => (await events(name)).split('\n').find((l) => re.test(l)), 30_000);

const pv = (name: string, size: string, opts: { cls?: string; policy?: string; labels?: string; modes?: string; extra?: string } = {}) => `
apiVersion: v1
kind: PersistentVolume
metadata: {name: ${name}, labels: {${opts.labels ?? ''}}}
spec:
  capacity: {storage: ${size}}
  accessModes: [${opts.modes ?? 'ReadWriteOnce'}]
  persistentVolumeReclaimPolicy: ${opts.policy ?? 'Retain'}
  storageClassName: "${opts.cls ?? 'manual'}"
  hostPath: {path: /tmp/k8ts-pv-e2e/${name}}
${opts.extra ?? ''}`;

const pvc = (name: string, size: string, extra = '', cls = 'manual') => `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ${cls === '<default>' ? 'null' : `"${cls}"`}
  resources: {requests: {storage: ${size}}}
${extra}`;

const podWith = (name: string, claim: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  containers: [{name: app, image: busybox, command: [sleep, '3600'], volumeMounts: [{name: data, mountPath: /data}]}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: ${claim}}}]
`;

test('a claim binds the smallest volume that fits, with the annotations and columns Kubernetes shows', async () => {
  await apply(pv('small', '1Gi') + '---' + pv('big', '5Gi') + '---' + pv('tiny', '100Mi') + '---' + pv('other-class', '1Gi', { cls: 'fast' }));
  await apply(pvc('claim1', '500Mi'));
  await waitPhase('pvc', 'claim1', 'Bound');
  const claim = await get('pvc', 'claim1');
  assert.equal(claim.spec.volumeName, 'small');
  assert.equal(claim.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
  assert.equal(claim.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.deepEqual(claim.status.capacity, { storage: '1Gi' });
  assert.deepEqual(claim.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  await waitPhase('pv', 'small', 'Bound');
  const vol = await get('pv', 'small');
  assert.equal(vol.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.equal(vol.spec.claimRef.name, 'claim1');
  assert.deepEqual(vol.metadata.finalizers, ['kubernetes.io/pv-protection']);
  assert.match(await c.k('get', 'pvc', 'claim1'), /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\nclaim1\s+Bound\s+small\s+1Gi\s+RWO\s+manual\s+<unset>\s+\d+s\n$/);
  assert.match(await c.k('get', 'pv', 'small'), /^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE\nsmall\s+1Gi\s+RWO\s+Retain\s+Bound\s+default\/claim1\s+manual\s+<unset>\s+\d+s\n$/);
  await waitPhase('pv', 'big', 'Available');
});

test('selector and volumeName choose the volume; a mismatch is an event, not a binding', async () => {
  await apply(pv('labelled', '2Gi', { labels: 'tier: gold' }) + '---' + pv('named', '3Gi'));
  await apply(pvc('by-label', '1Gi', '  selector: {matchLabels: {tier: gold}}'));
  await waitPhase('pvc', 'by-label', 'Bound');
  assert.equal((await get('pvc', 'by-label')).spec.volumeName, 'labelled');
  await apply(pvc('by-name', '1Gi', '  volumeName: named'));
  await waitPhase('pvc', 'by-name', 'Bound');
  const claim = await get('pvc', 'by-name');
  assert.equal(claim.spec.volumeName, 'named');
  // The user bound it: no bound-by-controller on the claim.
  assert.equal(claim.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined);
  await apply(pvc('too-big', '10Gi', '  volumeName: big'));
  const line = await eventMatching('too-big', /VolumeMismatch/);
  assert.match(line, /Warning\s+VolumeMismatch\s+persistentvolume-controller\s+Cannot bind to requested volume "big": requested PV is too small/);
  assert.equal(await phase('pvc', 'too-big'), 'Pending');
});

test('claims that nothing serves stay Pending and say why, naming an unknown provisioner', async () => {
  await apply(pvc('nothing', '1Gi', '', ''));
  await eventMatching('nothing', /FailedBinding.*no persistent volumes available for this claim and no storage class is set/);
  assert.equal(await phase('pvc', 'nothing'), 'Pending');
  await apply(`
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: elsewhere}
provisioner: example.com/nowhere
volumeBindingMode: Immediate
`);
  await apply(pvc('unknown-provisioner', '1Gi', '', 'elsewhere'));
  const line = await eventMatching('unknown-provisioner', /ExternalProvisioning/);
  assert.match(line, /Normal\s+ExternalProvisioning\s+persistentvolume-controller\s+Waiting for a volume to be created either by the external provisioner 'example.com\/nowhere' or manually/);
  const claim = await get('pvc', 'unknown-provisioner');
  assert.equal(claim.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], 'example.com/nowhere');
  assert.equal(claim.metadata.annotations?.['volume.beta.kubernetes.io/storage-provisioner'], 'example.com/nowhere');
  assert.equal(claim.status.phase, 'Pending');
  await apply(pvc('missing-class', '1Gi', '', 'no-such-class'));
  await eventMatching('missing-class', /ProvisioningFailed.*storageclass.storage.k8s.io "no-such-class" not found/);
  // A pod using an unbound Immediate claim is not scheduled, in kube-scheduler's words.
  await apply(podWith('waits-for-claim', 'unknown-provisioner'));
  const sched = await eventMatching('waits-for-claim', /FailedScheduling/);
  assert.match(sched, /0\/1 nodes are available: pod has unbound immediate PersistentVolumeClaims\. preemption: 0\/1 nodes are available: 1 Preemption is not helpful for scheduling\./);
  await c.k('delete', 'pod', 'waits-for-claim', '--wait=false');
});

test('Retain keeps a released volume; Delete without a provisioner fails it', async () => {
  await apply(pv('keep', '1Gi', { cls: 'reclaim', policy: 'Retain' }));
  await apply(pvc('keep-claim', '1Gi', '  volumeName: keep', 'reclaim'));
  await waitPhase('pvc', 'keep-claim', 'Bound');
  await c.k('delete', 'pvc', 'keep-claim');
  await waitPhase('pv', 'keep', 'Released');
  assert.match(await c.k('get', 'pv', 'keep'), /keep\s+1Gi\s+RWO\s+Retain\s+Released\s+default\/keep-claim\s+reclaim/);
  // The admin clears the claimRef to make it Available again.
  await c.k('patch', 'pv', 'keep', '--type', 'json', '-p', '[{"op":"remove","path":"/spec/claimRef"}]');
  await waitPhase('pv', 'keep', 'Available');

  await apply(pv('drop', '1Gi', { cls: 'reclaim2', policy: 'Delete' }));
  await apply(pvc('drop-claim', '1Gi', '  volumeName: drop', 'reclaim2'));
  await waitPhase('pvc', 'drop-claim', 'Bound');
  await c.k('delete', 'pvc', 'drop-claim');
  await waitPhase('pv', 'drop', 'Failed');
  const line = await eventMatching('drop', /VolumeFailedDelete/);
  assert.match(line, /no deletable volume plugin matched/);
});

test('protection finalizers hold a claim while a pod uses it and a volume while it is bound', async () => {
  await apply(pv('guarded', '1Gi', { cls: 'guard' }));
  await apply(pvc('guarded-claim', '1Gi', '', 'guard'));
  await waitPhase('pvc', 'guarded-claim', 'Bound');
  await apply(podWith('user', 'guarded-claim'));
  await waitPhase('pod', 'user', 'Running');
  await c.k('delete', 'pvc', 'guarded-claim', '--wait=false');
  await c.k('delete', 'pv', 'guarded', '--wait=false');
  await new Promise((r) => setTimeout(r, 1500));
  assert.match(await c.k('get', 'pvc', 'guarded-claim'), /guarded-claim\s+Terminating\s+guarded/);
  assert.match(await c.k('get', 'pv', 'guarded'), /guarded\s+1Gi\s+RWO\s+Retain\s+Terminating\s+default\/guarded-claim/);
  await c.k('delete', 'pod', 'user', '--grace-period=0', '--force');
  await eventually(async () => (await c.kubectl(['get', 'pvc', 'guarded-claim'])).code === 1, 30_000);
  // The claim went, so the volume is Released and no longer protected.
  await eventually(async () => (await c.kubectl(['get', 'pv', 'guarded'])).code === 1, 30_000);
});

test('the default local-path class provisions on the node the scheduler picked, and deletes with a helper pod', async () => {
  assert.match(await c.k('get', 'storageclass', 'local-path'), /local-path \(default\)\s+rancher.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false/);
  await apply(pvc('lp', '64Mi', '', '<default>'));
  assert.equal((await get('pvc', 'lp')).spec.storageClassName, 'local-path');
  await eventMatching('lp', /WaitForFirstConsumer\s+persistentvolume-controller\s+waiting for first consumer to be created before binding/);
  assert.equal(await phase('pvc', 'lp'), 'Pending');
  await apply(podWith('lp-user', 'lp'));
  await waitPhase('pvc', 'lp', 'Bound');
  const claim = await get('pvc', 'lp');
  assert.equal(claim.metadata.annotations?.['volume.kubernetes.io/selected-node'], 'node-a');
  const vol = await get('pv', claim.spec.volumeName);
  assert.equal(vol.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
  assert.equal(vol.spec.hostPath.type, 'DirectoryOrCreate');
  assert.match(vol.spec.hostPath.path, new RegExp(`/storage/${claim.spec.volumeName}_default_lp$`));
  assert.deepEqual(vol.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0], { key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a'] });
  await eventMatching('lp', /ProvisioningSucceeded/);
  await waitPhase('pod', 'lp-user', 'Running');
  await c.k('delete', 'pod', 'lp-user', '--grace-period=0', '--force');
  await c.k('delete', 'pvc', 'lp');
  // Released, a helper pod on node-a removes the directory, then the volume goes.
  await eventually(async () => (await c.kubectl(['get', 'pv', claim.spec.volumeName])).code === 1, 60_000);
});

test('a claim made while no class is the default gets the default class once there is one', async () => {
  const setDefault = (v: string) => c.k('annotate', 'storageclass', 'local-path', `storageclass.kubernetes.io/is-default-class=${v}`, '--overwrite');
  await setDefault('false');
  try {
    await apply(pvc('late', '1Gi', '', '<default>'));
    assert.equal((await get('pvc', 'late')).spec.storageClassName, undefined);
    await eventMatching('late', /FailedBinding.*no storage class is set/);
  } finally {
    await setDefault('true');
  }
  await eventually(async () => (await get('pvc', 'late')).spec.storageClassName === 'local-path', 30_000);
  await eventMatching('late', /WaitForFirstConsumer/);
});
