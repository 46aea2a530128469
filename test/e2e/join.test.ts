// Joining nodes with a token, against a real server: the node-token file and `k8ts token`
// commands, the TLS bootstrap (CA pinned by the token's hash, a client certificate approved and
// signed by the certificate controllers, a serving certificate with the node's own credential),
// and the message of every wrong join. The agent's containers are not needed: a join ends
// before containerd starts, and the library call is the same code the command runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caHash } from '../../lib/bootstrap-token.js';
import { readKubeconfig } from '../../lib/kubeconfig.js';
import { tlsBootstrap } from '../../node-agent/join/tls-bootstrap.js';
import { cliPath, eventually, kubectlPath, run } from '../lib/cluster.js';
import { useCluster } from '../lib/fixture.js';

const { cluster: c } = useCluster({
  args: ['--controllers=serviceaccount-controller,certificatesigningrequest-approving-controller,certificatesigningrequest-signing-controller,token-cleaner-controller', '--disable-scheduler'],
});

const server = () => readKubeconfig(c.kubeconfig).server;
const k8ts = (...args: string[]) => run(process.execPath, [cliPath, ...args]);
const token = (...args: string[]) => k8ts('token', ...args, '--kubeconfig', c.kubeconfig);
const agentDir = () => mkdtempSync(join(tmpdir(), 'k8ts-join-'));
/** `k8ts agent` joining: every case here fails before the agent would start containerd. */
const joinWith = (tok: string, ...args: string[]) => k8ts('agent', '--server', server(), '--token', tok, '--data-dir', agentDir(), '--node-name', 'bad', ...args);

test('the server writes a node-token that pins its CA, as /cacerts serves it', async () => {
  const nodeToken = readFileSync(join(c.dataDir, 'node-token'), 'utf8').trim();
  const m = /^K10([0-9a-f]{64})::server:([0-9a-f]{32})$/.exec(nodeToken);
  assert.ok(m, nodeToken);
  const cacerts = await (await run('curl', ['-sk', `${server()}/cacerts`])).stdout;
  assert.equal(m[1], caHash(cacerts));
  assert.equal(cacerts, readFileSync(join(c.dataDir, 'pki', 'ca.crt'), 'utf8'));
});

test('k8ts token create, list and delete manage bootstrap tokens', async () => {
  const created = await token('create', '--ttl', '2h', '--description', 'for the e2e test');
  assert.equal(created.code, 0, created.stderr);
  const m = /^K10([0-9a-f]{64})::([a-z0-9]{6})\.([a-z0-9]{16})\n$/.exec(created.stdout);
  assert.ok(m, created.stdout);
  const list = await token('list');
  assert.match(list.stdout, /^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS$/m);
  assert.match(list.stdout, new RegExp(`^${m[2]}\\.${m[3]}\\s+1h\\s+\\S+Z\\s+authentication,signing\\s+for the e2e test\\s+system:bootstrappers:k8ts:default-node-token$`, 'm'));
  const del = await token('delete', m[2] ?? '');
  assert.equal(del.stdout, `bootstrap token "${m[2]}" deleted\n`);
  assert.doesNotMatch((await token('list')).stdout, new RegExp(m[2] ?? 'x'));
  const again = await token('delete', m[2] ?? '');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /bootstrap token "[a-z0-9]{6}" not found/);
});

test('a node joins with a bootstrap token: its own client and serving certificates, from the cluster CA', async () => {
  const tok = (await token('create', '--ttl', '1h')).stdout.trim();
  const dataDir = agentDir();
  const creds = await tlsBootstrap({ server: server(), token: tok, nodeName: 'n1', dataDir, nodeIPs: ['10.9.8.7'], certLifetimeSeconds: 3600 });
  const whoami = await run(kubectlPath, ['--kubeconfig', creds.kubeconfig, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}']);
  assert.equal(whoami.stdout, 'system:node:n1 ["system:nodes","system:authenticated"]');
  const ca = new X509Certificate(readFileSync(join(c.dataDir, 'pki', 'ca.crt')));
  const client = new X509Certificate(readKubeconfig(creds.kubeconfig).clientCert ?? '');
  assert.ok(client.checkIssued(ca));
  assert.ok(Math.abs(Date.parse(client.validTo) - Date.parse(client.validFrom) - 3660_000) < 5000, 'the lifetime asked for (plus the minute of clock slack)');
  const serving = new X509Certificate(readFileSync(creds.servingCertFile));
  assert.ok(serving.checkIssued(ca));
  assert.match(serving.subjectAltName ?? '', /IP Address:10\.9\.8\.7/);
  const csrs = await c.k('get', 'csr', '-o', 'custom-columns=SIGNER:.spec.signerName,REQUESTOR:.spec.username,COND:.status.conditions[0].reason', '--no-headers');
  assert.match(csrs, new RegExp(`kubernetes.io/kube-apiserver-client-kubelet\\s+system:bootstrap:${tok.slice(-23, -17)}\\s+AutoApproved`));
  assert.match(csrs, /kubernetes.io\/kubelet-serving\s+system:node:n1\s+AutoApproved/);
  // A restart reuses them: no token needed, no new request.
  const before = (await c.k('get', 'csr', '-o', 'name')).split('\n').length;
  await tlsBootstrap({ server: server(), token: 'not even a token', nodeName: 'n1', dataDir, nodeIPs: ['10.9.8.7'] });
  assert.equal((await c.k('get', 'csr', '-o', 'name')).split('\n').length, before);
});

test('a node joins with the server token', async () => {
  const tok = readFileSync(join(c.dataDir, 'node-token'), 'utf8').trim();
  const creds = await tlsBootstrap({ server: server(), token: tok, nodeName: 'n2', dataDir: agentDir(), nodeIPs: ['10.9.8.6'] });
  const whoami = await run(kubectlPath, ['--kubeconfig', creds.kubeconfig, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
  assert.equal(whoami.stdout, 'system:node:n2');
});

test('every wrong join gets a message that says what to do, and writes nothing', async () => {
  const good = readFileSync(join(c.dataDir, 'node-token'), 'utf8').trim();
  const wrongHash = good.replace(/^K10[0-9a-f]{4}/, 'K100000');
  let r = await joinWith(wrongHash);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: the server's CA does not match the token: its hash is [0-9a-f]{64}, the token expects 0000[0-9a-f]{60}\. .*Nothing was sent\.\n$/);
  r = await joinWith(good.replace(/server:[0-9a-f]+$/, 'server:0123456789abcdef0123456789abcdef'));
  assert.match(r.stderr, /^Error: the server refused the token: it is wrong, has expired or was deleted\. Make a new one on the server with 'k8ts token create'/);
  r = await joinWith(good, '--server', 'https://127.0.0.1:1');
  assert.match(r.stderr, /^Error: cannot reach the server at https:\/\/127\.0\.0\.1:1: .*ECONNREFUSED.*Check --server/);
  r = await joinWith('abc');
  assert.match(r.stderr, /^Error: the token is not a k8ts join token/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  // A clock two hours ahead (libfaketime): certificates would not be valid on one side.
  const skewedDir = agentDir();
  r = await run('faketime', ['-f', '+2h', process.execPath, cliPath, 'agent', '--server', server(), '--token', good, '--data-dir', skewedDir, '--node-name', 'bad']);
  assert.match(r.stderr, /^Error: this host's clock is 7\d\d\d s ahead of the server's: certificates would not be valid on one side\. Set the time right/);
  assert.ok(!existsSync(join(skewedDir, 'agent', 'kubelet.kubeconfig')), 'nothing half-joined stays');
  // An expired token: refused, then removed by the token cleaner.
  const short = (await token('create', '--ttl', '1s')).stdout.trim();
  await new Promise((res) => setTimeout(res, 1500));
  r = await joinWith(short);
  assert.match(r.stderr, /the server refused the token/);
  await eventually(async () => !(await token('list')).stdout.includes(short.slice(-23)), 15_000, 250);
  // A name another agent owns.
  await c.kubectl(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Node\nmetadata: {name: taken, annotations: {k8ts.io/node-id: someone-else}}\n' });
  const dir = agentDir();
  r = await k8ts('agent', '--server', server(), '--token', good, '--data-dir', dir, '--node-name', 'taken');
  assert.ok(!existsSync(join(dir, 'agent', 'kubelet.kubeconfig')) && !existsSync(join(dir, 'agent', 'serving-kubelet.crt')), 'nothing half-joined stays');
  assert.match(r.stderr, /^Error: a node named "taken" already exists and belongs to another agent \(k8ts.io\/node-id=someone-else\)\. Join under another name with --node-name, or remove the old node first: kubectl delete node taken\n$/);
});
