import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceStrategy } from './service.js';
import { serviceTable } from './service-table.js';
import { created, row, updated } from './strategy-testing.js';
import type { KubeObject } from '../object.js';

const svc = (spec: Record<string, unknown>, name = 'web'): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });

test('defaults: ClusterIP, None affinity, TCP ports, targetPort = port, Cluster internal policy', () => {
  const { obj, errors } = created(serviceStrategy, svc({ ports: [{ port: 80 }], clusterIP: '10.43.0.5' }));
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.spec, {
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], clusterIP: '10.43.0.5', clusterIPs: ['10.43.0.5'],
    sessionAffinity: 'None', type: 'ClusterIP', internalTrafficPolicy: 'Cluster',
  });
  assert.deepEqual(obj.status, { loadBalancer: {} });
});

test('defaults for NodePort and LoadBalancer, and ClientIP affinity', () => {
  const lb = created(serviceStrategy, svc({ type: 'LoadBalancer', ports: [{ port: 80 }], sessionAffinity: 'ClientIP' })).obj.spec as Record<string, unknown>;
  assert.equal(lb.externalTrafficPolicy, 'Cluster');
  assert.equal(lb.allocateLoadBalancerNodePorts, true);
  assert.deepEqual(lb.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  const ext = created(serviceStrategy, svc({ type: 'ExternalName', externalName: 'example.com' })).obj.spec as Record<string, unknown>;
  assert.equal(ext.internalTrafficPolicy, undefined);
  assert.equal(ext.externalTrafficPolicy, undefined);
});

test('validation messages match Kubernetes', () => {
  const cases: Array<[Record<string, unknown>, string[]]> = [
    [{}, ['spec.ports: Required value']],
    [{ ports: [{ port: 80 }, { port: 81 }] }, ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']],
    [{ ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] }, ['spec.ports[1].name: Duplicate value: "a"']],
    [{ ports: [{ port: 70000 }] }, ['spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive', 'spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    [{ ports: [{ port: 80, protocol: 'ICMP' }] }, ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']],
    [{ type: 'Foo', ports: [{ port: 80 }] }, ['spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
    [{ ports: [{ port: 80, nodePort: 30001 }] }, ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
    [{ type: 'ExternalName' }, ['spec.externalName: Required value']],
    [{ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] }, ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]],
    [{ ports: [{ port: 80, targetPort: 'Not_A_Name' }] }, ['spec.ports[0].targetPort: Invalid value: "Not_A_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
    [{ clusterIP: '10.0.0.300', ports: [{ port: 80 }] }, ['spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
    [{ selector: { 'bad key!': 'x' }, ports: [{ port: 80 }] }, [
      'spec.selector: Invalid value: "bad key!": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')',
    ]],
    [{ ports: [{ port: 80 }], externalIPs: ['127.0.0.1'] }, ['spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']],
    [{ type: 'LoadBalancer', ports: [{ port: 10250 }] }, ['spec.ports[0]: Invalid value: 10250: may not expose port 10250 externally since it is used by kubelet']],
  ];
  for (const [spec, want] of cases) assert.deepEqual(created(serviceStrategy, svc(spec)).errors, want, JSON.stringify(spec));
});

test('duplicate ports print the internal ServicePort as Go does', () => {
  const { errors } = created(serviceStrategy, svc({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }));
  assert.deepEqual(errors, ['spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}']);
});

test('cluster IPs may not change once set; resubmitting without them keeps them', () => {
  const old = created(serviceStrategy, svc({ clusterIP: '10.43.0.5', ports: [{ port: 80 }] })).obj;
  const changed = updated(serviceStrategy, old, svc({ clusterIP: '10.43.0.6', clusterIPs: ['10.43.0.6'], ports: [{ port: 80 }] }));
  assert.deepEqual(changed.errors, ['spec.clusterIPs[0]: Invalid value: []string{"10.43.0.6"}: may not change once set']);
  const resubmitted = updated(serviceStrategy, old, svc({ ports: [{ port: 80 }] }));
  assert.deepEqual(resubmitted.errors, []);
  assert.equal((resubmitted.obj.spec as { clusterIP: string }).clusterIP, '10.43.0.5');
});

test('switching NodePort to ClusterIP drops the node ports it was given', () => {
  const old = svc({ type: 'NodePort', clusterIP: '10.43.0.5', clusterIPs: ['10.43.0.5'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP', targetPort: 80 }], externalTrafficPolicy: 'Cluster' });
  const next = svc({ ...(old.spec as object), type: 'ClusterIP' });
  const { obj, errors } = updated(serviceStrategy, old, next);
  assert.deepEqual(errors, []);
  const spec = obj.spec as { ports: Array<{ nodePort?: number }>; externalTrafficPolicy?: string };
  assert.equal(spec.ports[0].nodePort, undefined);
  assert.equal(spec.externalTrafficPolicy, undefined);
});

test('table cells: type, cluster IP, external IP, ports, selector', () => {
  const base = { clusterIP: '10.43.0.5', clusterIPs: ['10.43.0.5'] };
  assert.deepEqual(row(serviceTable, svc({ ...base, type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'web', tier: 'fe' } })),
    ['web', 'ClusterIP', '10.43.0.5', '<none>', '80/TCP', '60s', 'app=web,tier=fe']);
  assert.deepEqual(row(serviceTable, svc({ ...base, type: 'NodePort', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] })).slice(1, 5),
    ['NodePort', '10.43.0.5', '<none>', '80:30080/TCP,443/TCP']);
  assert.deepEqual(row(serviceTable, svc({ ...base, type: 'LoadBalancer', ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }] })).slice(3, 4), ['<pending>']);
  const lb = { ...svc({ ...base, type: 'LoadBalancer', ports: [] }), status: { loadBalancer: { ingress: [{ ip: '192.0.2.9' }] } } };
  assert.deepEqual(row(serviceTable, lb).slice(3, 5), ['192.0.2.9', '<none>']);
  assert.deepEqual(row(serviceTable, svc({ type: 'ExternalName', externalName: 'example.com' })).slice(1, 5), ['ExternalName', '<none>', 'example.com', '<none>']);
});
