import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.js';
import { defaultPullPolicy, parseImageReference } from './image-reference.js';
import { podFieldSelectors, podStatusStrategy, podStrategy } from './pod.js';
import { computePodQOS } from '../../../lib/pod-qos.js';
import { createObject, thrownMessage, updateObject } from './workload-testing.js';

const pod = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...meta }, spec,
});
const nginx = { name: 'web', image: 'nginx' };

test('a minimal pod gets every default Kubernetes sets, status Pending and its QoS class', () => {
  const { obj, errors } = createObject(podStrategy, pod({ containers: [nginx] }));
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.spec, {
    containers: [{
      name: 'web', image: 'nginx', imagePullPolicy: 'Always', resources: {},
      terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    }],
    dnsPolicy: 'ClusterFirst', enableServiceLinks: true, restartPolicy: 'Always', schedulerName: 'default-scheduler',
    securityContext: {}, terminationGracePeriodSeconds: 30,
  });
  assert.deepEqual(obj.status, { phase: 'Pending', qosClass: 'BestEffort' });
});

test('imagePullPolicy is Always for :latest or untagged images, else IfNotPresent', () => {
  const cases: Array<[string, string]> = [
    ['nginx', 'Always'], ['nginx:latest', 'Always'], ['nginx:1.25', 'IfNotPresent'], ['docker.io/library/nginx', 'Always'],
    ['localhost:5000/app', 'Always'], ['localhost:5000/app:v1', 'IfNotPresent'], ['localhost:5000', 'IfNotPresent'],
    [`nginx@sha256:${'a'.repeat(64)}`, 'IfNotPresent'], [`nginx:latest@sha256:${'a'.repeat(64)}`, 'Always'], ['Nginx', 'IfNotPresent'],
  ];
  for (const [image, want] of cases) assert.equal(defaultPullPolicy(image), want, image);
  assert.equal(parseImageReference('registry.example.com:5000/team/app:v2')?.tag, 'v2');
});

test('container, probe, port, env and volume defaults', () => {
  const { obj } = createObject(podStrategy, pod({
    containers: [{
      name: 'c', image: 'busybox:1.36', ports: [{ containerPort: 80 }],
      env: [{ name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      livenessProbe: { httpGet: { port: 8080 } }, readinessProbe: { grpc: { port: 9000 } },
      lifecycle: { preStop: { httpGet: { port: 80 } } },
    }],
    volumes: [
      { name: 'scratch' }, { name: 'cm', configMap: { name: 'x' } }, { name: 's', secret: { secretName: 'y' } },
      { name: 'host', hostPath: { path: '/data' } }, { name: 'dw', downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } },
    ],
  }));
  const spec = obj.spec as { containers: Array<Record<string, unknown>>; volumes: unknown[] };
  const c = spec.containers[0];
  assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.deepEqual(c.env, [{ name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } }]);
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(c.readinessProbe, { grpc: { port: 9000, service: '' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(c.lifecycle, { preStop: { httpGet: { port: 80, path: '/', scheme: 'HTTP' } } });
  assert.deepEqual(spec.volumes, [
    { name: 'scratch', emptyDir: {} }, { name: 'cm', configMap: { name: 'x', defaultMode: 420 } },
    { name: 's', secret: { secretName: 'y', defaultMode: 420 } }, { name: 'host', hostPath: { path: '/data', type: '' } },
    { name: 'dw', downwardAPI: { defaultMode: 420, items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } }] } },
  ]);
});

test('requests default from limits, quantities are canonical and rounded up to milli', () => {
  const { obj } = createObject(podStrategy, pod({
    containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '0.5', memory: '1024Mi' }, requests: { cpu: 0.0001 } } }],
  }));
  const c = (obj.spec as { containers: Array<{ resources: unknown }> }).containers[0];
  assert.deepEqual(c.resources, { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '1m', memory: '1Gi' } });
  assert.equal((obj.status as { qosClass: string }).qosClass, 'Burstable');
});

test('a malformed quantity is refused as the decoder refuses it', () => {
  const msg = thrownMessage(() => createObject(podStrategy, pod({ containers: [{ name: 'c', image: 'x', resources: { limits: { memory: '1Gb' } } }] })));
  assert.equal(msg, `400 BadRequest: Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
});

test('host networking makes every container port a host port', () => {
  const { obj, errors } = createObject(podStrategy, pod({ hostNetwork: true, containers: [{ ...nginx, ports: [{ containerPort: 80 }] }] }));
  assert.deepEqual(errors, []);
  assert.deepEqual((obj.spec as { containers: Array<{ ports: unknown }> }).containers[0].ports, [{ containerPort: 80, hostPort: 80, protocol: 'TCP' }]);
});

test('QoS: Guaranteed needs cpu and memory limits equal to requests in every container', () => {
  const c = (resources: unknown) => ({ name: 'c', image: 'x', resources });
  assert.equal(computePodQOS({ containers: [c({})] }), 'BestEffort');
  assert.equal(computePodQOS({ containers: [c({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } })] }), 'Guaranteed');
  assert.equal(computePodQOS({ containers: [c({ limits: { cpu: '1' }, requests: { cpu: '1' } })] }), 'Burstable');
  assert.equal(computePodQOS({ containers: [c({ requests: { cpu: '100m' } })] }), 'Burstable');
  assert.equal(computePodQOS({ containers: [c({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } })] }), 'Burstable');
  assert.equal(computePodQOS({ containers: [c({ limits: { 'example.com/gpu': '1' } })] }), 'BestEffort');
});

test('pod validation reports every problem with Kubernetes messages and paths', () => {
  const { errors } = createObject(podStrategy, pod({
    restartPolicy: 'Sometimes', dnsPolicy: 'Cluster',
    containers: [
      { name: 'Web_1', image: '', ports: [{ containerPort: 0 }, { containerPort: 70000, name: 'http--x', protocol: 'ICMP' }] },
      { name: 'dup', image: 'x', imagePullPolicy: 'Sometimes', env: [{ name: 'A=B' }, { name: 'V', value: 'x', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] },
      { name: 'dup', image: 'x', volumeMounts: [{ name: 'missing', mountPath: '/m' }], resources: { limits: { cpu: '100m' }, requests: { cpu: '200m' } } },
    ],
    volumes: [{ name: 'a', emptyDir: {}, configMap: { name: 'x' } }, { name: 'Bad_Vol' }],
  }));
  assert.deepEqual(errors, [
    'spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type',
    `spec.volumes[1].name: Invalid value: "Bad_Vol": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    `spec.containers[0].name: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    'spec.containers[0].image: Required value',
    'spec.containers[0].ports[0].containerPort: Required value',
    'spec.containers[0].ports[1].name: Invalid value: "http--x": must not contain consecutive hyphens',
    'spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.containers[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    `spec.containers[1].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
    'spec.containers[1].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
    'spec.containers[1].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
    'spec.containers[2].volumeMounts[0].name: Not found: "missing"',
    'spec.containers[2].resources.requests: Invalid value: "200m": must be less than or equal to cpu limit of 100m',
    'spec.containers[2].name: Duplicate value: "dup"',
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
  ]);
});

test('probes, env sources, resources and volume sources are checked', () => {
  const { errors } = createObject(podStrategy, pod({
    containers: [{
      name: 'c', image: 'x',
      livenessProbe: { exec: { command: ['true'] }, httpGet: { port: 80 }, successThreshold: 2 },
      readinessProbe: {},
      env: [{ name: 'E', valueFrom: {} }],
      resources: { limits: { foo: '1', 'example.com/gpu': '1500m' } },
    }],
    volumes: [{ name: 'h', hostPath: { path: '/x', type: 'Pipe' } }, { name: 'p', persistentVolumeClaim: {} }],
  }));
  assert.deepEqual(errors, [
    'spec.volumes[0].hostPath.type: Unsupported value: "Pipe": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
    'spec.volumes[1].persistentVolumeClaim.claimName: Required value',
    'spec.containers[0].env[0].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
    'spec.containers[0].resources.limits[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
    'spec.containers[0].resources.limits[foo]: Invalid value: "foo": must be a standard resource for containers',
    'spec.containers[0].resources.limits[example.com/gpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1500m", Format:"DecimalSI"}: must be an integer',
    // Requests were defaulted from the limits, so they repeat the complaints.
    'spec.containers[0].resources.requests[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
    'spec.containers[0].resources.requests[foo]: Invalid value: "foo": must be a standard resource for containers',
    'spec.containers[0].resources.requests[example.com/gpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1500m", Format:"DecimalSI"}: must be an integer',
    'spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type',
    'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
    'spec.containers[0].readinessProbe: Required value: must specify a handler type',
  ]);
});

test('init containers: names unique across lists, probes only for restartable ones', () => {
  const { errors } = createObject(podStrategy, pod({
    initContainers: [
      { name: 'web', image: 'x' }, { name: 'init', image: 'x', livenessProbe: { exec: { command: ['x'] } } },
      { name: 'sidecar', image: 'x', restartPolicy: 'OnFailure' },
    ],
    containers: [{ ...nginx, restartPolicy: 'Always' }],
  }));
  assert.deepEqual(errors, [
    'spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers',
    'spec.initContainers[0].name: Duplicate value: "web"',
    'spec.initContainers[1].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
    'spec.initContainers[2].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
  ]);
});

test('tolerations, affinity and pod-level fields', () => {
  const { errors } = createObject(podStrategy, pod({
    containers: [nginx], activeDeadlineSeconds: 0, hostname: 'Host', nodeName: 'n_1',
    tolerations: [{ operator: 'Equal', value: 'x' }, { key: 'k', operator: 'Exists', value: 'v' }, { key: 'k', effect: 'NoSchedule', tolerationSeconds: 5 }],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
  }));
  assert.deepEqual(errors, [
    'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term',
    `spec.nodeName: Invalid value: "n_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    'spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive',
    `spec.hostname: Invalid value: "Host": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    "spec.tolerations[1].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
    "spec.tolerations[2].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
  ]);
});

test('updates may change images, shorten deadlines and add tolerations, nothing else', () => {
  const old = createObject(podStrategy, pod({ containers: [nginx], activeDeadlineSeconds: 100 })).obj;
  const next = structuredClone(old);
  (next.spec as { containers: Array<{ image: string }> }).containers[0].image = 'nginx:1.27';
  (next.spec as Record<string, unknown>).activeDeadlineSeconds = 50;
  (next.spec as Record<string, unknown>).tolerations = [{ key: 'a', operator: 'Exists' }];
  assert.deepEqual(updateObject(podStrategy, old, next).errors, []);

  const longer = structuredClone(old);
  (longer.spec as Record<string, unknown>).activeDeadlineSeconds = 200;
  assert.deepEqual(updateObject(podStrategy, old, longer).errors, ['spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value']);

  const other = structuredClone(old);
  (other.spec as Record<string, unknown>).restartPolicy = 'Never';
  const [msg] = updateObject(podStrategy, old, other).errors;
  assert.equal(msg.split('\n')[0], 'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)');
  assert.match(msg, /\n- \tRestartPolicy: "Always",\n\+ \tRestartPolicy: "Never",\n/);

  const fewer = structuredClone(old);
  (fewer.spec as Record<string, unknown>).containers = [nginx, { name: 'b', image: 'x' }];
  assert.deepEqual(updateObject(podStrategy, old, fewer).errors, ['spec.containers: Forbidden: pod updates may not add or remove containers']);
});

test('nodeName changes only through the binding subresource', () => {
  const old = createObject(podStrategy, pod({ containers: [nginx] })).obj;
  const bound = structuredClone(old);
  (bound.spec as Record<string, unknown>).nodeName = 'node-1';
  assert.deepEqual(updateObject(podStrategy, old, bound, 'binding').errors, []);
  assert.match(updateObject(podStrategy, old, bound).errors[0], /^spec: Forbidden: pod updates may not change fields other than/);
});

test('status writes keep the QoS class', () => {
  const old = createObject(podStrategy, pod({ containers: [nginx] })).obj;
  const next = structuredClone(old);
  next.status = { phase: 'Running' };
  const { obj, errors } = updateObject(podStatusStrategy, old, next, 'status');
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.status, { phase: 'Running', qosClass: 'BestEffort' });
});

test('field selectors read the first pod IP and default hostNetwork to false', () => {
  const o = pod({ containers: [nginx], nodeName: 'n1' });
  o.status = { phase: 'Running', podIPs: [{ ip: '10.42.0.5' }, { ip: 'fd00::5' }] };
  assert.equal(podFieldSelectors['status.podIP'](o), '10.42.0.5');
  assert.equal(podFieldSelectors['spec.hostNetwork'](o), 'false');
  assert.equal(podFieldSelectors['spec.nodeName'](o), 'n1');
});
