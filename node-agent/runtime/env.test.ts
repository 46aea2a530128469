import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerConfigError, expand, expandCommand, fieldRefValue, makeEnvironment, resourceFieldValue, serviceEnv, type EnvInputs } from './env.js';
import type { Container, Pod, Service } from '../kube-types.js';

const pod = (containers: Container[], extra: Record<string, unknown> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', labels: { app: 'web', tier: 'a"b' }, annotations: { note: 'x' } },
  spec: { nodeName: 'n1', serviceAccountName: 'sa', containers, ...extra },
}) as Pod;

const inputs = (over: Partial<EnvInputs> = {}): EnvInputs => ({
  configMaps: new Map([['cm', { A: '1', 'bad=key': 'x', B: '2' }]]),
  secrets: new Map([['sec', { password: 's3cret' }]]),
  services: [],
  podIPs: ['10.42.0.7'],
  hostIPs: ['192.0.2.2'],
  allocatable: { cpu: '2', memory: '4Gi' },
  ...over,
});

test('$(VAR) expansion follows Kubernetes rules', () => {
  const m = new Map([['A', 'x'], ['B', 'y']]);
  const look = (n: string) => m.get(n);
  assert.equal(expand('$(A)-$(B)', look), 'x-y');
  assert.equal(expand('$(MISSING)', look), '$(MISSING)');
  assert.equal(expand('$$(A)', look), '$(A)');
  assert.equal(expand('$$', look), '$');
  assert.equal(expand('a$b', look), 'a$b');
  assert.equal(expand('$(A', look), '$(A');
  assert.equal(expand('end$', look), 'end$');
});

test('env: envFrom with prefix, values expanded in order, valueFrom sources', () => {
  const c: Container = {
    name: 'c',
    envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }],
    env: [
      { name: 'FIRST', value: 'one' },
      { name: 'SECOND', value: '$(FIRST)-two-$(CM_A)' },
      { name: 'PASS', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
    ],
  };
  const r = makeEnvironment(pod([c]), c, inputs());
  const env = Object.fromEntries(r.env.map((kv) => [kv.key, kv.value]));
  assert.deepEqual(env, { CM_A: '1', CM_B: '2', FIRST: 'one', SECOND: 'one-two-1', PASS: 's3cret', POD: 'p', IP: '10.42.0.7', APP: 'web' });
  assert.deepEqual(r.warnings, [{ reason: 'InvalidEnvironmentVariableNames', message: 'Keys [CM_bad=key] from the EnvFrom configMap ns/cm were skipped since they are considered invalid environment variable names.' }]);
});

test('missing sources fail as kubelet words it', () => {
  const bad = (env: Container['env']) => {
    const c: Container = { name: 'c', env };
    return () => makeEnvironment(pod([c]), c, inputs());
  };
  assert.throws(bad([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }]), new ContainerConfigError('configmap "nope" not found'));
  assert.throws(bad([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'zz' } } }]), new ContainerConfigError("couldn't find key zz in ConfigMap ns/cm"));
  assert.throws(bad([{ name: 'X', valueFrom: { secretKeyRef: { name: 'sec', key: 'zz' } } }]), new ContainerConfigError("couldn't find key zz in Secret ns/sec"));
  assert.throws(bad([{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'zz' } } }]), new ContainerConfigError('secret "gone" not found'));
});

test('downward API fields and maps', () => {
  const p = pod([]);
  assert.equal(fieldRefValue(p, { fieldPath: 'metadata.labels' }, [], []), 'app="web"\ntier="a\\"b"');
  assert.equal(fieldRefValue(p, { fieldPath: 'spec.nodeName' }, [], []), 'n1');
  assert.equal(fieldRefValue(p, { fieldPath: 'status.hostIPs' }, [], ['1.1.1.1', 'fd::1']), '1.1.1.1,fd::1');
  assert.throws(() => fieldRefValue(p, { fieldPath: 'spec.nope' }, [], []), ContainerConfigError);
});

test('resource fields: limits default to node allocatable, divisors round up', () => {
  const c: Container = { name: 'c', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } } };
  assert.equal(resourceFieldValue({ resource: 'limits.memory', divisor: '1Mi' }, c, { memory: '4Gi' }), '128');
  assert.equal(resourceFieldValue({ resource: 'limits.cpu' }, c, { cpu: '2' }), '2');
  assert.equal(resourceFieldValue({ resource: 'requests.cpu', divisor: '1m' }, c, {}), '250');
  assert.equal(resourceFieldValue({ resource: 'requests.cpu' }, c, {}), '1');
});

test('service links for the namespace and the kubernetes Service', () => {
  const svc = (ns: string, name: string, ip: string, ports: Record<string, unknown>[]): Service => ({ metadata: { namespace: ns, name }, spec: { clusterIP: ip, ports } }) as Service;
  const redis = svc('ns', 'redis-primary', '10.43.0.20', [{ name: 'redis', port: 6379, protocol: 'TCP' }]);
  assert.deepEqual(serviceEnv(redis), [
    { key: 'REDIS_PRIMARY_SERVICE_HOST', value: '10.43.0.20' },
    { key: 'REDIS_PRIMARY_SERVICE_PORT', value: '6379' },
    { key: 'REDIS_PRIMARY_SERVICE_PORT_REDIS', value: '6379' },
    { key: 'REDIS_PRIMARY_PORT', value: 'tcp://10.43.0.20:6379' },
    { key: 'REDIS_PRIMARY_PORT_6379_TCP', value: 'tcp://10.43.0.20:6379' },
    { key: 'REDIS_PRIMARY_PORT_6379_TCP_PROTO', value: 'tcp' },
    { key: 'REDIS_PRIMARY_PORT_6379_TCP_PORT', value: '6379' },
    { key: 'REDIS_PRIMARY_PORT_6379_TCP_ADDR', value: '10.43.0.20' },
  ]);
  const services = [redis, svc('default', 'kubernetes', '10.43.0.1', [{ name: 'https', port: 443 }]), svc('other', 'x', '10.43.0.9', [{ port: 1 }])];
  const c: Container = { name: 'c', env: [{ name: 'REDIS_PRIMARY_SERVICE_HOST', value: 'mine' }] };
  const keys = (p: Pod) => makeEnvironment(p, c, inputs({ services })).env.map((kv) => `${kv.key}=${kv.value}`);
  const on = keys(pod([c]));
  assert.ok(on.includes('REDIS_PRIMARY_SERVICE_HOST=mine'), 'explicit env wins');
  assert.ok(on.includes('KUBERNETES_SERVICE_HOST=10.43.0.1'));
  assert.ok(!on.some((k) => k.startsWith('X_')));
  const off = keys(pod([c], { enableServiceLinks: false }));
  assert.ok(off.includes('KUBERNETES_PORT_443_TCP=tcp://10.43.0.1:443'), 'the kubernetes Service is always linked');
  assert.ok(!off.includes('REDIS_PRIMARY_PORT=tcp://10.43.0.20:6379'));
});

test('command and args expand against the final environment', () => {
  const c: Container = { name: 'c', command: ['sh', '-c', 'echo $(MSG)'], args: ['$(NOPE)', '$$(MSG)'] };
  assert.deepEqual(expandCommand(c, [{ key: 'MSG', value: 'hi' }]), { command: ['sh', '-c', 'echo hi'], args: ['$(NOPE)', '$(MSG)'] });
});
