// The workload kinds through real kubectl: objects created from YAML come back defaulted as
// Kubernetes 1.32 defaults them, `kubectl get` prints the same columns (and -o wide), invalid
// objects and forbidden updates are refused with Kubernetes' messages, scale works through the
// scale subresource, HPAs are served as autoscaling/v2 and v1, and the workload field selectors
// filter lists. No controllers run for these kinds here, so status stays as created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refusedManifest, useCluster, withManifest } from '../lib/fixture.js';

// API behaviour only: no controller but the service accounts' (pods need one) may change what
// the tests create, and nothing is scheduled.
const { cluster: c } = useCluster({ apiOnly: true, setup: () => create(manifests) });
const create = (yaml: string): Promise<string> => withManifest(c, 'create', yaml, '--validate=false');
const refused = (yaml: string): Promise<string> => refusedManifest(c, yaml);

/** A kubectl command that must fail: returns stderr. */
async function fails(...args: string[]): Promise<string> {
  const r = await c.kubectl(args);
  assert.equal(r.code, 1, `expected a failure, got: ${r.stdout}`);
  return r.stderr.trim();
}

/** `kubectl get` lines with runs of spaces as " | " and ages as "<age>". */
async function table(...args: string[]): Promise<string[]> {
  return (await c.k('get', ...args)).trim().split('\n').map((l) => l.trim().replace(/\s{2,}/g, ' | ').replace(/(^| )\d+s( |$)/g, '$1<age>$2'));
}

const json = async <T = Record<string, unknown>>(...args: string[]): Promise<T> => JSON.parse(await c.k('get', ...args, '-o', 'json')) as T;
type Obj = { metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; generation?: number; uid: string }; spec: Record<string, any>; status: Record<string, any> };

const manifests = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx:1.25, ports: [{containerPort: 80}], resources: {requests: {cpu: 100m, memory: 0.5Gi}}}]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: api}
spec:
  replicas: 3
  selector: {matchExpressions: [{key: app, operator: In, values: [api]}]}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: busybox}]}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: legacy, image: busybox:1.36}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres:16}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: agent, image: fluentd:v1}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: pi, image: perl:5.34, command: [perl, -e, print 1]}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: hello}
spec:
  schedule: "*/5 * * * *"
  timeZone: Etc/UTC
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: hello, image: busybox}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 1024Mi}}
---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: legacy}
spec:
  scaleTargetRef: {apiVersion: v1, kind: ReplicationController, name: legacy}
  maxReplicas: 3
  targetCPUUtilizationPercentage: 50
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: tmpl}
template:
  metadata: {labels: {app: tmpl}}
  spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: solo, labels: {app: solo}}
spec:
  containers: [{name: c, image: nginx, resources: {limits: {cpu: "1", memory: 1Gi}}}]
`;

test('kubectl get prints every workload kind with the Kubernetes columns', async () => {
  assert.deepEqual(await table('deploy'), ['NAME | READY | UP-TO-DATE | AVAILABLE | AGE', 'web | 0/2 | 0 | 0 | <age>']);
  assert.deepEqual(await table('deploy', '-o', 'wide'), [
    'NAME | READY | UP-TO-DATE | AVAILABLE | AGE | CONTAINERS | IMAGES | SELECTOR', 'web | 0/2 | 0 | 0 | <age> | nginx | nginx:1.25 | app=web',
  ]);
  assert.deepEqual(await table('rs', '-o', 'wide'), [
    'NAME | DESIRED | CURRENT | READY | AGE | CONTAINERS | IMAGES | SELECTOR', 'api | 3 | 0 | 0 | <age> | api | busybox | app in (api)',
  ]);
  assert.deepEqual(await table('rc', '-o', 'wide'), [
    'NAME | DESIRED | CURRENT | READY | AGE | CONTAINERS | IMAGES | SELECTOR', 'legacy | 1 | 0 | 0 | <age> | legacy | busybox:1.36 | app=legacy',
  ]);
  assert.deepEqual(await table('sts', '-o', 'wide'), ['NAME | READY | AGE | CONTAINERS | IMAGES', 'db | 0/1 | <age> | db | postgres:16']);
  assert.deepEqual(await table('ds', '-o', 'wide'), [
    'NAME | DESIRED | CURRENT | READY | UP-TO-DATE | AVAILABLE | NODE SELECTOR | AGE | CONTAINERS | IMAGES | SELECTOR',
    'agent | 0 | 0 | 0 | 0 | 0 | kubernetes.io/os=linux | <age> | agent | fluentd:v1 | app=agent',
  ]);
  const uid = (await json<Obj>('job', 'pi')).metadata.uid;
  assert.deepEqual(await table('job', '-o', 'wide'), [
    'NAME | STATUS | COMPLETIONS | DURATION | AGE | CONTAINERS | IMAGES | SELECTOR',
    `pi | Running | 0/1 | <age> | pi | perl:5.34 | batch.kubernetes.io/controller-uid=${uid}`,
  ]);
  assert.deepEqual(await table('cronjob'), [
    'NAME | SCHEDULE | TIMEZONE | SUSPEND | ACTIVE | LAST SCHEDULE | AGE', 'hello | */5 * * * * | Etc/UTC | False | 0 | <none> | <age>',
  ]);
  assert.deepEqual(await table('hpa'), [
    'NAME | REFERENCE | TARGETS | MINPODS | MAXPODS | REPLICAS | AGE',
    'legacy | ReplicationController/legacy | cpu: <unknown>/50% | 1 | 3 | 0 | <age>',
    'web | Deployment/web | cpu: <unknown>/70%, memory: <unknown>/1Gi | 1 | 5 | 0 | <age>',
  ]);
  assert.deepEqual(await table('pdb'), ['NAME | MIN AVAILABLE | MAX UNAVAILABLE | ALLOWED DISRUPTIONS | AGE', 'web | 1 | N/A | 0 | <age>']);
  assert.deepEqual(await table('podtemplate'), ['NAME | CONTAINERS | IMAGES | POD LABELS', 'tmpl | c | nginx | app=tmpl']);
  assert.deepEqual(await table('pod', 'solo', '-o', 'wide'), [
    'NAME | READY | STATUS | RESTARTS | AGE | IP | NODE | NOMINATED NODE | READINESS GATES', 'solo | 0/1 | Pending | 0 | <age> | <none> | <none> | <none> | <none>',
  ]);
  assert.match((await c.k('get', 'controllerrevisions')).trim(), /^No resources found in default namespace\.$|^$/);
});

test('objects come back with the defaults Kubernetes sets', async () => {
  const deploy = await json<Obj>('deploy', 'web');
  assert.deepEqual(deploy.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.deepEqual([deploy.spec.revisionHistoryLimit, deploy.spec.progressDeadlineSeconds, deploy.metadata.generation], [10, 600, 1]);
  const container = deploy.spec.template.spec.containers[0];
  assert.deepEqual(container.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.deepEqual(container.resources, { requests: { cpu: '100m', memory: '512Mi' } });
  assert.deepEqual([container.imagePullPolicy, container.terminationMessagePath, container.terminationMessagePolicy], ['IfNotPresent', '/dev/termination-log', 'File']);
  assert.deepEqual(deploy.spec.template.metadata, { labels: { app: 'web' }, creationTimestamp: null });
  assert.deepEqual(
    [deploy.spec.template.spec.restartPolicy, deploy.spec.template.spec.dnsPolicy, deploy.spec.template.spec.schedulerName, deploy.spec.template.spec.terminationGracePeriodSeconds],
    ['Always', 'ClusterFirst', 'default-scheduler', 30],
  );
  assert.match(await c.k('get', 'deploy', 'web', '-o', 'yaml'), /\n {6}creationTimestamp: null\n[\s\S]*\n {8}resources:\n {10}requests:\n {12}cpu: 100m\n {12}memory: 512Mi\n/);

  const rc = await json<Obj>('rc', 'legacy');
  assert.deepEqual([rc.spec.replicas, rc.spec.selector, rc.metadata.labels], [1, { app: 'legacy' }, { app: 'legacy' }]);
  assert.equal(rc.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  const rs = await json<Obj>('rs', 'api');
  assert.equal(rs.spec.template.spec.containers[0].imagePullPolicy, 'Always');

  const sts = await json<Obj>('sts', 'db');
  assert.deepEqual(
    [sts.spec.replicas, sts.spec.podManagementPolicy, sts.spec.updateStrategy, sts.spec.revisionHistoryLimit, sts.spec.persistentVolumeClaimRetentionPolicy],
    [1, 'OrderedReady', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, 10, { whenDeleted: 'Retain', whenScaled: 'Retain' }],
  );
  assert.deepEqual(sts.spec.volumeClaimTemplates[0], {
    metadata: { name: 'data', creationTimestamp: null },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
    status: { phase: 'Pending' },
  });
  assert.deepEqual(sts.status, { replicas: 0, availableReplicas: 0 });

  const ds = await json<Obj>('ds', 'agent');
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.metadata.annotations?.['deprecated.daemonset.template.generation'], '1');

  const job = await json<Obj>('job', 'pi');
  const uid = job.metadata.uid;
  const jobLabels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': uid, 'job-name': 'pi' };
  assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
  assert.deepEqual(job.spec.template.metadata.labels, jobLabels);
  assert.deepEqual(job.metadata.labels, jobLabels);
  assert.deepEqual(
    [job.spec.completions, job.spec.parallelism, job.spec.backoffLimit, job.spec.completionMode, job.spec.suspend, job.spec.podReplacementPolicy, job.spec.manualSelector],
    [1, 1, 6, 'NonIndexed', false, 'TerminatingOrFailed', undefined],
  );

  const cron = await json<Obj>('cronjob', 'hello');
  assert.deepEqual(
    [cron.spec.concurrencyPolicy, cron.spec.suspend, cron.spec.successfulJobsHistoryLimit, cron.spec.failedJobsHistoryLimit, cron.spec.jobTemplate.metadata],
    ['Allow', false, 3, 1, { creationTimestamp: null }],
  );

  const pdb = await json<Obj>('pdb', 'web');
  assert.deepEqual(pdb.status, { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 });

  // Requests default from limits, which makes the pod Guaranteed.
  const pod = await json<Obj>('pod', 'solo');
  assert.deepEqual(pod.spec.containers[0].resources, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } });
  assert.deepEqual([pod.status.phase, pod.status.qosClass, pod.spec.enableServiceLinks, pod.spec.containers[0].imagePullPolicy], ['Pending', 'Guaranteed', true, 'Always']);
});

test('invalid workloads are refused with the errors kubectl prints', async () => {
  assert.equal(await refused(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: bad}
spec:
  replicas: -1
  selector: {matchLabels: {app: other}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: Web, image: nginx}]}
`), [
    'The Deployment "bad" is invalid: ',
    '* spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    '* spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    "* spec.template.spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ].join('\n'));
  assert.equal(await refused('{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"bad"},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}'),
    'The Job "bad" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"');
  assert.equal(await refused('{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"bad"},"spec":{"schedule":"every minute","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}}}'),
    'The CronJob "bad" is invalid: spec.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]');
  assert.equal(await refused('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bad"},"spec":{"containers":[{"name":"c","image":"nginx","resources":{"requests":{"cpu":"2x"}}}]}}'),
    `Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  assert.equal(await refused('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bad"},"spec":{"containers":[{"name":"c","image":"nginx","resources":{"requests":{"cpu":"2"},"limits":{"cpu":"1"}}}]}}'),
    'The Pod "bad" is invalid: spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1');
  assert.equal(await refused('{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"Bad"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}}'),
    `The StatefulSet "Bad" is invalid: metadata.name: Invalid value: "Bad": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`);
  assert.equal(await refused('{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"bad"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"minReplicas":4,"maxReplicas":2}}'),
    'The HorizontalPodAutoscaler "bad" is invalid: spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`');
  assert.equal(await refused('{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"bad"},"spec":{"maxUnavailable":"120%"}}'),
    'The PodDisruptionBudget "bad" is invalid: spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%');
});

test('forbidden updates are refused; the ones Kubernetes allows go through', async () => {
  assert.equal(await fails('patch', 'deploy', 'web', '-p', '{"spec":{"selector":{"matchLabels":{"app":"web2"}},"template":{"metadata":{"labels":{"app":"web2"}}}}}'),
    'The Deployment "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable');
  assert.equal(await fails('patch', 'sts', 'db', '-p', '{"spec":{"serviceName":"other"}}'),
    "The StatefulSet \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
  const podChange = await fails('patch', 'pod', 'solo', '-p', '{"spec":{"restartPolicy":"Never"}}');
  assert.ok(podChange.startsWith('The Pod "solo" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n  core.PodSpec{\n'), podChange);
  assert.match(podChange, /\n- \tRestartPolicy: "Always",\n\+ \tRestartPolicy: "Never",\n/);
  const jobChange = await fails('patch', 'job', 'pi', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"pi","image":"perl:5.36"}]}}}}');
  assert.match(jobChange, /^The Job "pi" is invalid: spec\.template: Invalid value: core\.PodTemplateSpec\{.*: field is immutable$/);
  assert.equal(await fails('patch', 'job', 'pi', '-p', '{"spec":{"completions":3}}'), 'The Job "pi" is invalid: spec.completions: Invalid value: 3: field is immutable');

  // A pod's image may change; a template change bumps a deployment's generation, status writes do not.
  await c.k('patch', 'pod', 'solo', '-p', '{"spec":{"containers":[{"name":"c","image":"nginx:1.26"}]}}');
  assert.equal((await json<Obj>('pod', 'solo')).spec.containers[0].image, 'nginx:1.26');
  await c.k('set', 'image', 'deploy/web', 'nginx=nginx:1.26');
  assert.equal((await json<Obj>('deploy', 'web')).metadata.generation, 2);
  await c.k('patch', 'deploy', 'web', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":2,"readyReplicas":1,"updatedReplicas":2,"availableReplicas":1}}');
  const patched = await json<Obj>('deploy', 'web');
  assert.deepEqual([patched.metadata.generation, patched.status.readyReplicas], [2, 1]);
  assert.deepEqual((await table('deploy', 'web')).slice(1), ['web | 1/2 | 2 | 1 | <age>']);
  // Status sent to the main resource is ignored.
  await c.k('patch', 'deploy', 'web', '--type=merge', '-p', '{"status":{"readyReplicas":2}}');
  assert.equal((await json<Obj>('deploy', 'web')).status.readyReplicas, 1);
  // A StatefulSet's template and replicas may change.
  await c.k('patch', 'sts', 'db', '-p', '{"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"db","image":"postgres:17"}]}}}}');
  assert.deepEqual((await table('sts', 'db', '-o', 'wide')).slice(1), ['db | 0/2 | <age> | db | postgres:17']);
});

test('kubectl scale through the scale subresource', async () => {
  assert.equal((await c.k('scale', 'deploy', 'web', '--replicas=4')).trim(), 'deployment.apps/web scaled');
  assert.equal((await c.k('scale', 'rc', 'legacy', '--replicas=2')).trim(), 'replicationcontroller/legacy scaled');
  assert.equal((await c.k('scale', 'sts', 'db', '--replicas=3')).trim(), 'statefulset.apps/db scaled');
  assert.equal((await c.k('scale', 'rs', 'api', '--replicas=0')).trim(), 'replicaset.apps/api scaled');
  assert.deepEqual(
    [(await json<Obj>('deploy', 'web')).spec.replicas, (await json<Obj>('rc', 'legacy')).spec.replicas, (await json<Obj>('sts', 'db')).spec.replicas, (await json<Obj>('rs', 'api')).spec.replicas],
    [4, 2, 3, 0],
  );
  const scale = (await c.http('GET', '/apis/apps/v1/namespaces/default/replicasets/api/scale')).json<Obj & { kind: string; apiVersion: string }>();
  assert.deepEqual([scale.apiVersion, scale.kind, scale.spec, scale.status], ['autoscaling/v1', 'Scale', { replicas: 0 }, { replicas: 0, selector: 'app in (api)' }]);
  assert.equal(await fails('scale', 'deploy', 'web', '--replicas=-1'), 'error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
  const negative = await c.http('PUT', '/apis/apps/v1/namespaces/default/deployments/web/scale', {
    apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: -2 },
  });
  assert.equal(negative.status, 422);
  assert.equal(negative.json<{ message: string }>().message, 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -2: must be greater than or equal to 0');
});

test('HPAs are served as autoscaling/v2 and autoscaling/v1 without losing anything', async () => {
  const legacy = await json<Obj>('hpa', 'legacy');
  assert.deepEqual(legacy.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
  const v1 = (await c.http('GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web')).json<Obj & { apiVersion: string }>();
  assert.equal(v1.apiVersion, 'autoscaling/v1');
  assert.deepEqual(v1.spec, { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 70 });
  assert.equal(v1.metadata.annotations?.['autoscaling.alpha.kubernetes.io/metrics'], '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"1Gi"}}]');
  // A v1 client writing back what it read keeps the metrics only v2 can express.
  v1.spec.maxReplicas = 8;
  v1.spec.targetCPUUtilizationPercentage = 60;
  const put = await c.http('PUT', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web', v1);
  assert.equal(put.status, 200, put.body);
  const v2 = await json<Obj>('hpa', 'web');
  assert.deepEqual(v2.spec.metrics, [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
    { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } } },
  ]);
  assert.equal(v2.metadata.annotations, undefined);
  assert.deepEqual((await table('hpa', 'web')).slice(1), ['web | Deployment/web | cpu: <unknown>/60%, memory: <unknown>/1Gi | 1 | 8 | 0 | <age>']);
  const discovery = (await c.http('GET', '/apis/autoscaling')).json<{ preferredVersion: { version: string }; versions: Array<{ version: string }> }>();
  assert.deepEqual([discovery.preferredVersion.version, discovery.versions.map((v) => v.version)], ['v2', ['v2', 'v1']]);
});

test('workload field selectors: status.replicas, status.successful, pod phase and node', async () => {
  await c.k('patch', 'rc', 'legacy', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":2}}');
  assert.deepEqual(await c.k('get', 'rc', '--field-selector', 'status.replicas=2', '-o', 'name'), 'replicationcontroller/legacy\n');
  assert.deepEqual(await c.k('get', 'rs', '--field-selector', 'status.replicas!=0', '-o', 'name'), '');
  assert.equal(await c.k('get', 'jobs', '--field-selector', 'status.successful=0', '-o', 'name'), 'job.batch/pi\n');
  await c.k('patch', 'job', 'pi', '--subresource=status', '--type=merge', '-p', '{"status":{"succeeded":1}}');
  assert.equal(await c.k('get', 'jobs', '--field-selector', 'status.successful=1', '-o', 'name'), 'job.batch/pi\n');
  assert.equal(await c.k('get', 'pods', '--field-selector', 'status.phase=Pending,spec.nodeName=', '-o', 'name'), 'pod/solo\n');
  assert.equal(await c.k('get', 'pods', '--field-selector', 'status.phase=Running', '-o', 'name'), '');
});
