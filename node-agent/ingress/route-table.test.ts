import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Ingress } from '../../lib/ingress.js';
import { hostMatches, hostName, prefixKey, prefixMatches, requestPath } from './match.js';
import { buildRoutes, lookup, secretsOf, tlsSecretFor } from './route-table.js';

const prefix = (rule: string, req: string) => prefixMatches(prefixKey(rule), req);

test('Prefix matches element-wise, as the Ingress spec tabulates it', () => {
  assert.ok(prefix('/', '/anything'));
  assert.ok(prefix('/foo', '/foo'));
  assert.ok(prefix('/foo', '/foo/'));
  assert.ok(prefix('/foo/', '/foo'));
  assert.ok(prefix('/foo/', '/foo/'));
  assert.ok(!prefix('/aaa/bb', '/aaa/bbb'));
  assert.ok(prefix('/aaa/bbb', '/aaa/bbb/ccc'));
  assert.ok(!prefix('/aaa/bbb', '/aaa/bbbxyz'));
  assert.ok(!prefix('/foo', '/foobar'));
  assert.ok(!prefix('/aaa', '/ccc'));
});

test('wildcard hosts cover exactly one more label', () => {
  assert.ok(hostMatches('*.foo.com', 'bar.foo.com'));
  assert.ok(!hostMatches('*.foo.com', 'baz.bar.foo.com'));
  assert.ok(!hostMatches('*.foo.com', 'foo.com'));
  assert.ok(!hostMatches('*.foo.com', '.foo.com'));
  assert.ok(hostMatches('foo.com', 'foo.com'));
  assert.ok(!hostMatches('foo.com', 'bar.foo.com'));
});

test('the Host header loses its port, case and trailing dot; the path its query', () => {
  assert.equal(hostName('Foo.Example.COM:8080'), 'foo.example.com');
  assert.equal(hostName('foo.example.com.'), 'foo.example.com');
  assert.equal(hostName('[::1]:80'), '[::1]');
  assert.equal(hostName(undefined), '');
  assert.equal(requestPath('/a/b?x=1'), '/a/b');
});

let seq = 0;
function ing(name: string, spec: NonNullable<Ingress['spec']>, extra: { created?: string; annotations?: Record<string, string> } = {}): Ingress {
  return { metadata: { name, namespace: 'ns', creationTimestamp: extra.created ?? `2026-01-01T00:00:${String(seq++ % 60).padStart(2, '0')}Z`, annotations: extra.annotations }, spec };
}
const svc = (name: string, port: number | string = 80) => ({ service: { name, port: typeof port === 'number' ? { number: port } : { name: port } } });
const path = (p: string, pathType: string, backend: string) => ({ path: p, pathType, backend: svc(backend) });
const to = (table: ReturnType<typeof buildRoutes>, host: string, p: string) => lookup(table, host, p)?.backend.service;

test('longest path wins, Exact before Prefix on equal length, whatever the YAML order', () => {
  const t = buildRoutes([ing('a', { rules: [{ host: 'h.com', http: { paths: [
    path('/', 'Prefix', 'root'), path('/foo', 'Prefix', 'foo-prefix'), path('/foo', 'Exact', 'foo-exact'),
    path('/foo/bar', 'ImplementationSpecific', 'foobar'),
  ] } }] })]);
  assert.equal(to(t, 'h.com', '/foo'), 'foo-exact');
  assert.equal(to(t, 'h.com', '/foo/'), 'foo-prefix');
  assert.equal(to(t, 'h.com', '/foo/bar/baz'), 'foobar');
  assert.equal(to(t, 'h.com', '/foobar'), 'root');
  assert.equal(to(t, 'h.com', '/'), 'root');
});

test('Exact /foo is not /foo/, and /foo/ is not /foo', () => {
  const t = buildRoutes([ing('a', { rules: [{ http: { paths: [path('/foo', 'Exact', 'a'), path('/bar/', 'Exact', 'b')] } }] })]);
  assert.equal(to(t, 'x', '/foo'), 'a');
  assert.equal(to(t, 'x', '/foo/'), undefined);
  assert.equal(to(t, 'x', '/bar/'), 'b');
  assert.equal(to(t, 'x', '/bar'), undefined);
});

test('an exact host beats a wildcard, which beats rules without host; then the default backend, else nothing', () => {
  const t = buildRoutes([
    ing('a', { defaultBackend: svc('fallback'), rules: [
      { host: 'exact.example.com', http: { paths: [path('/only', 'Prefix', 'exact')] } },
      { host: '*.example.com', http: { paths: [path('/', 'Prefix', 'wild')] } },
      { http: { paths: [path('/', 'Prefix', 'any')] } },
    ] }),
  ]);
  assert.equal(to(t, 'exact.example.com', '/only/x'), 'exact');
  assert.equal(to(t, 'exact.example.com', '/other'), 'fallback');
  assert.equal(to(t, 'a.example.com', '/x'), 'wild');
  assert.equal(to(t, 'a.b.example.com', '/x'), 'any');
  assert.equal(to(t, 'example.com', '/x'), 'any');
  assert.equal(lookup(buildRoutes([ing('b', { rules: [{ host: 'h', http: { paths: [path('/a', 'Prefix', 'a')] } }] })]), 'h', '/b'), undefined);
  assert.equal(lookup(t, 'a.example.com', '/')?.route?.path, '/');
  assert.equal(lookup(t, 'exact.example.com', '/other')?.route, undefined);
});

test('Ingresses for one host merge; on the same path the oldest wins, as does its default backend', () => {
  const t = buildRoutes([
    ing('young', { defaultBackend: svc('young-default'), rules: [{ host: 'h', http: { paths: [path('/', 'Prefix', 'young'), path('/y', 'Prefix', 'y')] } }] }, { created: '2026-02-01T00:00:00Z' }),
    ing('old', { defaultBackend: svc('old-default'), rules: [{ host: 'h', http: { paths: [path('/', 'Prefix', 'old')] } }] }, { created: '2026-01-01T00:00:00Z' }),
  ]);
  assert.equal(to(t, 'h', '/'), 'old');
  assert.equal(to(t, 'h', '/y/1'), 'y');
  assert.equal(lookup(t, 'h', '/')?.backend.ingress, 'ns/old');
  assert.equal(t.defaultBackend?.service, 'old-default');
});

test('ports by number or name, the ssl-redirect annotation, and resource backends marked unsupported', () => {
  const t = buildRoutes([ing('a', { rules: [{ host: 'h', http: { paths: [
    { path: '/n', pathType: 'Prefix', backend: svc('s', 8080) },
    { path: '/p', pathType: 'Prefix', backend: svc('s', 'http') },
    { path: '/r', pathType: 'Prefix', backend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'b' } } },
  ] } }] }, { annotations: { 'ingress.k8ts.io/ssl-redirect': 'true' } })]);
  assert.deepEqual(lookup(t, 'h', '/n')?.backend.port, { number: 8080 });
  assert.deepEqual(lookup(t, 'h', '/p')?.backend.port, { name: 'http' });
  assert.equal(lookup(t, 'h', '/n')?.backend.sslRedirect, true);
  assert.match(lookup(t, 'h', '/r')?.backend.unsupported ?? '', /StorageBucket\/b/);
});

test('TLS secrets by SNI: exact, wildcard, hostless entries cover the rule hosts, unknown names get none', () => {
  const ings = [
    ing('a', { tls: [{ hosts: ['a.com'], secretName: 'a-cert' }, { hosts: ['*.w.com'], secretName: 'w-cert' }], rules: [] }),
    ing('b', { tls: [{ secretName: 'b-cert' }], rules: [{ host: 'b.com', http: { paths: [path('/', 'Prefix', 'b')] } }] }),
  ];
  const t = buildRoutes(ings);
  assert.equal(tlsSecretFor(t, 'A.com'), 'ns/a-cert');
  assert.equal(tlsSecretFor(t, 'x.w.com'), 'ns/w-cert');
  assert.equal(tlsSecretFor(t, 'x.y.w.com'), undefined);
  assert.equal(tlsSecretFor(t, 'b.com'), 'ns/b-cert');
  assert.equal(tlsSecretFor(t, 'other.com'), undefined);
  assert.deepEqual([...secretsOf(ings)].sort(), ['ns/a-cert', 'ns/b-cert', 'ns/w-cert']);
});
