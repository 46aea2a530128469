// Deployments end to end with real kubectl, a server and two simulated nodes: a rollout that
// `kubectl rollout status` sees finish, scaling, rolling updates to a new image with history,
// undo (to the previous and to a given revision), pause and resume, restart, Recreate, and
// cascading deletion through the garbage collector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../lib/cluster.js';
import { useCluster, withManifest } from '../lib/fixture.js';

const { cluster: c } = useCluster({ nodes: [{ name: 'node-a' }, { name: 'node-b' }] });
const apply = (yaml: string): Promise<string> => withManifest(c, 'apply', yaml);

const deployment = (name: string, image: string, replicas: number, extra = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
${extra}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: app, image: "${image}"}]}
`;

async function rolloutStatus(name: string): Promise<string> {
  const r = await c.kubectl(['rollout', 'status', `deployment/${name}`, '--timeout=60s'], { timeoutMs: 70_000 });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

type RS = { metadata: { name: string; annotations: Record<string, string>; labels: Record<string, string> }; spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } } };

async function replicaSets(app: string): Promise<RS[]> {
  return (JSON.parse(await c.k('get', 'rs', '-l', `app=${app}`, '-o', 'json')) as { items: RS[] }).items;
}

const imageOf = (rs: RS) => rs.spec.template.spec.containers[0].image;

test('a new Deployment rolls out: rollout status finishes, one ReplicaSet named by its pod-template-hash', async () => {
  await apply(deployment('web', 'nginx:1.25', 3));
  const out = await rolloutStatus('web');
  assert.match(out, /deployment "web" successfully rolled out\n$/);
  const [rs] = await replicaSets('web');
  const hash = rs.metadata.labels['pod-template-hash'];
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision'], '1');
  assert.deepEqual((await c.k('get', 'deploy', 'web', '--no-headers')).trim().split(/\s+/).slice(0, 4), ['web', '3/3', '3', '3']);
  const pods = (await c.k('get', 'pods', '-l', 'app=web', '--no-headers')).trim().split('\n');
  assert.equal(pods.length, 3);
  assert.ok(pods.every((l) => l.startsWith(`web-${hash}-`) && / Running /.test(l)));
  const d = JSON.parse(await c.k('get', 'deploy', 'web', '-o', 'json'));
  assert.equal(d.metadata.generation, 1, 'the revision annotation is written through status: no new generation');
  assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '1');
  assert.deepEqual(d.status.conditions.map((x: { type: string; reason: string }) => [x.type, x.reason]), [
    ['Available', 'MinimumReplicasAvailable'], ['Progressing', 'NewReplicaSetAvailable'],
  ]);
  const events = await c.k('get', 'events', '--field-selector', 'involvedObject.kind=Deployment,involvedObject.name=web', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
  assert.match(events, new RegExp(`ScalingReplicaSet: Scaled up replica set web-${hash} from 0 to 3`));
});

test('kubectl scale: the ReplicaSet follows, surplus pods are deleted', async () => {
  await apply(deployment('scaled', 'nginx', 2));
  await rolloutStatus('scaled');
  assert.equal((await c.k('scale', 'deployment/scaled', '--replicas=5')).trim(), 'deployment.apps/scaled scaled');
  await rolloutStatus('scaled');
  await eventually(async () => (await c.k('get', 'pods', '-l', 'app=scaled', '--no-headers')).trim().split('\n').length === 5);
  await c.k('scale', 'deployment/scaled', '--replicas=1');
  await eventually(async () => (await c.k('get', 'pods', '-l', 'app=scaled', '--no-headers')).trim().split('\n').length === 1, 30_000);
  const [rs] = await replicaSets('scaled');
  assert.equal(rs.spec.replicas, 1);
  const events = await c.k('get', 'events', '--field-selector', `involvedObject.name=${rs.metadata.name}`, '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}');
  assert.match(events, /SuccessfulDelete/);
});

test('a new image rolls out through a new ReplicaSet; history, undo and undo --to-revision', async () => {
  await apply(deployment('app', 'nginx:1.24', 3));
  await rolloutStatus('app');
  assert.equal((await c.k('set', 'image', 'deployment/app', 'app=nginx:1.25')).trim(), 'deployment.apps/app image updated');
  await rolloutStatus('app');
  await c.k('set', 'image', 'deployment/app', 'app=nginx:1.26');
  // As users record it: the cause goes on the Deployment, and from there on its newest ReplicaSet.
  await c.k('annotate', 'deployment/app', 'kubernetes.io/change-cause=to 1.26');
  await rolloutStatus('app');
  await eventually(async () => (await replicaSets('app')).some((rs) => rs.metadata.annotations['kubernetes.io/change-cause'] === 'to 1.26'));
  const sets = await replicaSets('app');
  assert.equal(sets.length, 3);
  const byImage = Object.fromEntries(sets.map((rs) => [imageOf(rs), rs]));
  assert.equal(byImage['nginx:1.26'].spec.replicas, 3);
  assert.equal(byImage['nginx:1.24'].spec.replicas, 0);
  assert.equal(byImage['nginx:1.26'].metadata.annotations['deployment.kubernetes.io/revision'], '3');
  const history = (await c.k('rollout', 'history', 'deployment/app')).split('\n').map((l) => l.trim().replace(/\s+/g, ' '));
  assert.deepEqual(history.slice(0, 5), ['deployment.apps/app', 'REVISION CHANGE-CAUSE', '1 <none>', '2 <none>', '3 to 1.26']);
  const rev2 = await c.k('rollout', 'history', 'deployment/app', '--revision=2');
  assert.match(rev2, /deployment.apps\/app with revision #2/);
  assert.match(rev2, /Image:\s+nginx:1.25/);

  assert.equal((await c.k('rollout', 'undo', 'deployment/app')).trim(), 'deployment.apps/app rolled back');
  await rolloutStatus('app');
  const afterUndo = Object.fromEntries((await replicaSets('app')).map((rs) => [imageOf(rs), rs]));
  assert.equal(afterUndo['nginx:1.25'].spec.replicas, 3);
  assert.equal(afterUndo['nginx:1.25'].metadata.annotations['deployment.kubernetes.io/revision'], '4', 'the old ReplicaSet becomes the newest revision');
  assert.equal(afterUndo['nginx:1.25'].metadata.annotations['deployment.kubernetes.io/revision-history'], '2');
  const revisions = (await c.k('rollout', 'history', 'deployment/app')).trim().split('\n').slice(2).map((l) => l.trim().split(/\s+/)[0]);
  assert.deepEqual(revisions, ['1', '3', '4']);

  assert.equal((await c.k('rollout', 'undo', 'deployment/app', '--to-revision=1')).trim(), 'deployment.apps/app rolled back');
  await rolloutStatus('app');
  assert.equal((await c.k('get', 'deploy', 'app', '-o', 'jsonpath={.spec.template.spec.containers[0].image}')), 'nginx:1.24');
  const none = await c.kubectl(['rollout', 'undo', 'deployment/app', '--to-revision=42']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /unable to find specified revision 42 in history/);
});

test('pause holds a template change back; resume rolls it out', async () => {
  await apply(deployment('held', 'nginx:1.24', 2));
  await rolloutStatus('held');
  assert.equal((await c.k('rollout', 'pause', 'deployment/held')).trim(), 'deployment.apps/held paused');
  await c.k('set', 'image', 'deployment/held', 'app=nginx:1.25');
  await eventually(async () => (await c.k('get', 'deploy', 'held', '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}')) === 'DeploymentPaused');
  assert.equal((await replicaSets('held')).length, 1, 'no new ReplicaSet while paused');
  const waiting = await c.kubectl(['rollout', 'status', 'deployment/held', '--timeout=2s']);
  assert.notEqual(waiting.code, 0);
  assert.match(waiting.stdout, /Waiting for deployment "held" rollout to finish: 0 out of 2 new replicas have been updated/);
  assert.equal((await c.k('rollout', 'resume', 'deployment/held')).trim(), 'deployment.apps/held resumed');
  await rolloutStatus('held');
  assert.deepEqual((await replicaSets('held')).map(imageOf).sort(), ['nginx:1.24', 'nginx:1.25']);
});

test('rollout restart replaces every pod through a new ReplicaSet', async () => {
  await apply(deployment('restarted', 'nginx', 2));
  await rolloutStatus('restarted');
  const before = (await c.k('get', 'pods', '-l', 'app=restarted', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').sort();
  assert.equal((await c.k('rollout', 'restart', 'deployment/restarted')).trim(), 'deployment.apps/restarted restarted');
  await rolloutStatus('restarted');
  const template = JSON.parse(await c.k('get', 'deploy', 'restarted', '-o', 'jsonpath={.spec.template.metadata.annotations}'));
  assert.ok(template['kubectl.kubernetes.io/restartedAt']);
  await eventually(async () => {
    const now = (await c.k('get', 'pods', '-l', 'app=restarted', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ');
    return now.length === 2 && now.every((n) => !before.includes(n));
  }, 30_000);
  assert.equal((await replicaSets('restarted')).length, 2);
});

test('Recreate removes every old pod before the new ReplicaSet scales up', async () => {
  await apply(deployment('rec', 'busybox:1', 2, '  strategy: {type: Recreate}'));
  await rolloutStatus('rec');
  await c.k('set', 'image', 'deployment/rec', 'app=busybox:2');
  await rolloutStatus('rec');
  const events = (await c.k('get', 'events', '--field-selector', 'involvedObject.kind=Deployment,involvedObject.name=rec', '--sort-by=.metadata.creationTimestamp',
    '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}')).trim().split('\n');
  const down = events.findIndex((m) => /^Scaled down replica set rec-\w+ from 2 to 0$/.test(m));
  const up = events.findIndex((m, i) => i > 0 && /^Scaled up replica set rec-\w+ from 0 to 2$/.test(m) && m !== events[0]);
  assert.ok(down >= 0 && up > down, events.join('\n'));
});

test('revisionHistoryLimit: old ReplicaSets beyond it are deleted', async () => {
  await apply(deployment('limited', 'nginx:1', 1, '  revisionHistoryLimit: 1'));
  await rolloutStatus('limited');
  for (const tag of ['2', '3']) {
    await c.k('set', 'image', 'deployment/limited', `app=nginx:${tag}`);
    await rolloutStatus('limited');
  }
  await eventually(async () => (await replicaSets('limited')).length === 2);
  assert.deepEqual((await replicaSets('limited')).map(imageOf).sort(), ['nginx:2', 'nginx:3']);
});

test('deleting a Deployment deletes its ReplicaSets and pods (background and foreground)', async () => {
  await apply(deployment('gone', 'nginx', 2));
  await rolloutStatus('gone');
  assert.equal((await c.k('delete', 'deployment', 'gone')).trim(), 'deployment.apps "gone" deleted');
  await eventually(async () => (await replicaSets('gone')).length === 0 && (await c.k('get', 'pods', '-l', 'app=gone', '-o', 'name')).trim() === '', 30_000);
  await apply(deployment('fg', 'nginx', 2));
  await rolloutStatus('fg');
  const r = await c.kubectl(['delete', 'deployment', 'fg', '--cascade=foreground'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await replicaSets('fg')).length, 0, 'foreground: the dependents are gone when the delete returns');
  await eventually(async () => (await c.k('get', 'pods', '-l', 'app=fg', '-o', 'name')).trim() === '', 30_000);
});

test('a rollout that cannot progress reports ProgressDeadlineExceeded and rollout status fails', async () => {
  await apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck}
spec:
  replicas: 1
  progressDeadlineSeconds: 3
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}}
    spec: {nodeSelector: {nowhere: "true"}, containers: [{name: app, image: nginx}]}
`);
  const r = await c.kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=30s'], { timeoutMs: 40_000 });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /error: deployment "stuck" exceeded its progress deadline/);
  const cond = JSON.parse(await c.k('get', 'deploy', 'stuck', '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")]}'));
  assert.deepEqual([cond.status, cond.reason], ['False', 'ProgressDeadlineExceeded']);
  assert.match(cond.message, /^ReplicaSet "stuck-\w+" has timed out progressing\.$/);
});
