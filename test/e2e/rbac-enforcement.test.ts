// RBAC enforced, through real kubectl as users of a static token file: a user bound to `view`
// reads but cannot write, a user with no binding gets Kubernetes' own 403, `auth can-i` (and
// `--list`) answer from the same rules, escalation through roles and bindings is refused, and
// anonymous requests get only what system:public-info-viewer allows. The controllers act as
// their own service accounts with their default roles, and still do their work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKubeconfig, writeKubeconfig } from '../../lib/kubeconfig.js';
import { eventually, run, kubectlPath } from '../lib/cluster.js';
import { useCluster } from '../lib/fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-rbac-'));
const tokenFile = join(dir, 'tokens.csv');
writeFileSync(tokenFile, ['alice-token,alice,1', 'bob-token,bob,2', 'carol-token,carol,3,"team-leads"'].join('\n') + '\n');

const { cluster: c } = useCluster({ args: ['--token-auth-file', tokenFile], serviceAccount: true });

/** kubectl as a token user (a kubeconfig with the CA and the token, no client certificate). */
async function as(user: string, ...args: string[]) {
  const file = join(dir, `${user}.kubeconfig`);
  const admin = readKubeconfig(c.kubeconfig);
  writeKubeconfig(file, { server: admin.server, caCert: admin.caCert ?? '', token: `${user}-token`, user });
  return run(kubectlPath, ['--kubeconfig', file, ...args]);
}

test('a user bound to view lists, and is refused a create with the 403 Kubernetes sends', async () => {
  await c.k('create', 'clusterrolebinding', 'alice-view', '--clusterrole=view', '--user=alice');
  await eventually(async () => (await as('alice', 'get', 'pods', '-A')).code === 0);
  const create = await as('alice', 'create', 'configmap', 'x', '--from-literal=a=b');
  assert.equal(create.code, 1);
  assert.equal(create.stderr.trim(), 'error: failed to create configmap: configmaps is forbidden: User "alice" cannot create resource "configmaps" in API group "" in the namespace "default"');
  const secrets = await as('alice', 'get', 'secrets');
  assert.equal(secrets.stderr.trim(), 'Error from server (Forbidden): secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace "default"');
});

test('a user with no binding gets 403 for resources and discovery stays open to him', async () => {
  const r = await as('bob', 'get', 'pods');
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"');
  const node = await as('bob', 'get', 'node', 'n1');
  assert.equal(node.stderr.trim(), 'Error from server (Forbidden): nodes "n1" is forbidden: User "bob" cannot get resource "nodes" in API group "" at the cluster scope');
  assert.equal((await as('bob', 'api-resources', '-o', 'name')).code, 0, 'system:discovery is bound to every authenticated user');
});

test('kubectl auth can-i and can-i --list answer from the same rules', async () => {
  assert.equal((await as('alice', 'auth', 'can-i', 'list', 'pods')).stdout.trim(), 'yes');
  const no = await as('alice', 'auth', 'can-i', 'create', 'pods');
  assert.equal(no.stdout.trim(), 'no');
  assert.equal(no.code, 1);
  assert.equal((await c.k('auth', 'can-i', 'list', 'pods', '--as=alice')).trim(), 'yes');
  const bobDelete = await c.kubectl(['auth', 'can-i', 'delete', 'nodes', '--as=bob']);
  assert.equal(bobDelete.stdout.trim(), 'no');
  const impersonate = await as('bob', 'get', 'pods', '--as=alice');
  assert.equal(impersonate.stderr.trim(), 'Error from server (Forbidden): users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope');
  const list = await as('alice', 'auth', 'can-i', '--list', '-n', 'default');
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/m);
  assert.match(list.stdout, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
  assert.match(list.stdout, /^\s+\[\/healthz\]\s+\[\]\s+\[get\]$/m);
  assert.doesNotMatch(list.stdout, /^secrets\s/m);
});

test('writing a role or binding that grants more than the writer holds is refused', async () => {
  await c.k('create', 'namespace', 'team');
  await c.k('create', 'role', 'role-writer', '-n', 'team', '--verb=create,update,get', '--resource=roles,rolebindings', '--verb=get,list', '--resource=configmaps');
  await c.k('create', 'role', 'role-writer2', '-n', 'team', '--verb=get,list', '--resource=configmaps');
  await c.k('create', 'rolebinding', 'carol-writes-roles', '-n', 'team', '--role=role-writer', '--group=team-leads');
  await c.k('create', 'rolebinding', 'carol-reads', '-n', 'team', '--role=role-writer2', '--user=carol');
  // Rules carol holds: allowed.
  await eventually(async () => (await as('carol', 'create', 'role', 'cm-reader', '-n', 'team', '--verb=get', '--resource=configmaps')).code === 0);
  // Rules she does not: refused, naming what is missing.
  const escalate = await as('carol', 'create', 'role', 'secret-deleter', '-n', 'team', '--verb=delete,get', '--resource=secrets');
  assert.equal(escalate.code, 1);
  assert.equal(escalate.stderr.trim(), 'Error from server (Forbidden): roles.rbac.authorization.k8s.io "secret-deleter" is forbidden: user "carol" (groups=["team-leads" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["delete" "get"]}');
  // Binding a role with more than she holds: refused; one within her rules: allowed.
  const bindAdmin = await as('carol', 'create', 'rolebinding', 'b1', '-n', 'team', '--clusterrole=admin', '--user=carol');
  assert.equal(bindAdmin.code, 1);
  assert.match(bindAdmin.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "b1" is forbidden: user "carol" \(groups=\["team-leads" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n/);
  assert.equal((await as('carol', 'create', 'rolebinding', 'b2', '-n', 'team', '--role=cm-reader', '--user=bob')).code, 0);
  // The `bind` verb on a role allows binding it whatever it holds.
  await c.k('create', 'role', 'may-bind-admin', '-n', 'team', '--verb=bind', '--resource=clusterroles', '--resource-name=admin');
  await c.k('create', 'rolebinding', 'carol-binds', '-n', 'team', '--role=may-bind-admin', '--user=carol');
  await eventually(async () => (await as('carol', 'create', 'rolebinding', 'b3', '-n', 'team', '--clusterrole=admin', '--user=bob')).code === 0);
  assert.equal((await as('bob', 'get', 'secrets', '-n', 'team')).code, 0, 'bob is now admin of team');
});

test('anonymous requests get only the public health and version paths', async () => {
  const admin = readKubeconfig(c.kubeconfig);
  const curl = (path: string) => run('curl', ['-s', '--cacert', join(dir, 'ca.crt'), '-w', '\n%{http_code}', `${admin.server}${path}`]);
  writeFileSync(join(dir, 'ca.crt'), admin.caCert ?? '');
  const version = await curl('/version');
  assert.match(version.stdout, /\n200$/);
  const api = await curl('/api/v1/namespaces/default/pods');
  const cut = api.stdout.lastIndexOf('\n');
  const [body, code] = [api.stdout.slice(0, cut), api.stdout.slice(cut + 1)];
  assert.equal(code, '403');
  assert.equal(JSON.parse(body ?? '{}').message, 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"');
  assert.equal(readFileSync(tokenFile, 'utf8').includes('anonymous'), false);
});

test('controllers act as their own service accounts and still do their work', async () => {
  await c.k('create', 'deployment', 'web', '--image=nginx', '--replicas=2');
  await eventually(async () => (await c.k('get', 'rs', '-l', 'app=web', '-o', 'jsonpath={.items[0].status.replicas}')) === '2', 30_000);
  await c.k('delete', 'deployment', 'web');
  await eventually(async () => (await c.k('get', 'rs,pods', '-l', 'app=web', '-o', 'name')).trim() === '', 30_000);
  assert.ok(!c.logs.some((l) => l.includes('is forbidden')), `no controller was refused: ${c.logs.filter((l) => l.includes('is forbidden')).slice(0, 3).join('\n')}`);
});

test('approving a CSR needs the approve verb on its signer, as the CertificateApproval plugin checks', async () => {
  const csrPem = (await run('sh', ['-c', `openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ${dir}/csr.key -subj /CN=someone 2>/dev/null`])).stdout;
  await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'to-approve' },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName: 'example.com/test', usages: ['client auth'] },
  }) });
  await c.k('create', 'clusterrole', 'csr-approver', '--verb=get,list,watch', '--resource=certificatesigningrequests');
  const role = JSON.parse(await c.k('get', 'clusterrole', 'csr-approver', '-o', 'json')) as { rules: object[] };
  role.rules.push({ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] });
  await c.kubectl(['replace', '-f', '-'], { stdin: JSON.stringify(role) });
  await c.k('create', 'clusterrolebinding', 'carol-csr', '--clusterrole=csr-approver', '--user=carol');
  await eventually(async () => (await as('carol', 'get', 'csr', 'to-approve')).code === 0);
  const refused = await as('carol', 'certificate', 'approve', 'to-approve');
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr.trim(), 'Error from server (Forbidden): certificatesigningrequests.certificates.k8s.io "to-approve" is forbidden: user not permitted to approve requests with signerName "example.com/test"');
  assert.equal(await c.k('get', 'csr', 'to-approve', '-o', 'jsonpath={.status.conditions}'), '', 'nothing changed');
  // approve on every signer of the domain is enough.
  await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'example-signers' },
    rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['example.com/*'], verbs: ['approve'] }],
  }) });
  await c.k('create', 'clusterrolebinding', 'carol-signers', '--clusterrole=example-signers', '--user=carol');
  await eventually(async () => (await as('carol', 'certificate', 'approve', 'to-approve')).code === 0, 10_000, 200);
  assert.equal(await c.k('get', 'csr', 'to-approve', '-o', 'jsonpath={.status.conditions[0].type}'), 'Approved');
});

test('resourceNames allow a list or watch pinned to that name by fieldSelector, and no other list', async () => {
  await c.k('create', 'configmap', 'named-one', '--from-literal=a=b');
  await c.k('create', 'role', 'one-configmap', '--verb=list,watch', '--resource=configmaps', '--resource-name=named-one');
  await c.k('create', 'rolebinding', 'carol-one-configmap', '--role=one-configmap', '--user=carol');
  await eventually(async () => (await as('carol', 'get', 'configmaps', '--field-selector', 'metadata.name=named-one', '-o', 'name')).stdout.trim() === 'configmap/named-one');
  const all = await as('carol', 'get', 'configmaps');
  assert.equal(all.stderr.trim(), 'Error from server (Forbidden): configmaps is forbidden: User "carol" cannot list resource "configmaps" in API group "" in the namespace "default"');
  const other = await as('carol', 'get', 'configmaps', '--field-selector', 'metadata.name=kube-root-ca.crt');
  assert.equal(other.stderr.trim(), 'Error from server (Forbidden): configmaps "kube-root-ca.crt" is forbidden: User "carol" cannot list resource "configmaps" in API group "" in the namespace "default"');
});
