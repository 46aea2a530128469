import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentMetrics, operationType } from './agent-metrics.js';

test('CRI methods get the kubelet\'s operation_type names', () => {
  assert.equal(operationType('RunPodSandbox'), 'run_podsandbox');
  assert.equal(operationType('ListPodSandbox'), 'list_podsandbox');
  assert.equal(operationType('ListContainerStats'), 'list_container_stats');
  assert.equal(operationType('ContainerStatus'), 'container_status');
  assert.equal(operationType('ExecSync'), 'exec_sync');
  assert.equal(operationType('ImageFsInfo'), 'image_fs_info');
  assert.equal(operationType('Version'), 'version');
});

test('runtime operations, pod starts and probes as Prometheus text', () => {
  const m = new AgentMetrics();
  m.runtimeOperation('ListContainers', 0.004, false);
  m.runtimeOperation('ListContainers', 0.02, true);
  m.podStarted(2.5);
  m.probe('Readiness', 'successful', { name: 'web', namespace: 'default', uid: 'u1' }, 'httpd');
  m.runningPods(() => 3);
  const text = m.registry.expose();
  assert.match(text, /\nkubelet_runtime_operations_total\{operation_type="list_containers"\} 2\n/);
  assert.match(text, /\nkubelet_runtime_operations_errors_total\{operation_type="list_containers"\} 1\n/);
  assert.match(text, /\nkubelet_runtime_operations_duration_seconds_bucket\{operation_type="list_containers",le="0.005"\} 1\n/);
  assert.match(text, /\nkubelet_runtime_operations_duration_seconds_bucket\{operation_type="list_containers",le="0.03125"\} 2\n/);
  assert.match(text, /\nkubelet_pod_start_duration_seconds_bucket\{le="3"\} 1\n/);
  assert.match(text, /\nkubelet_running_pods 3\n/);
  assert.match(text, /\nprocess_resident_memory_bytes \d+\n/);
  assert.match(m.probes.expose(), /^# HELP prober_probe_total \[BETA\] Cumulative number of a liveness, readiness or startup probe for a container by result\.\n# TYPE prober_probe_total counter\nprober_probe_total\{container="httpd",namespace="default",pod="web",pod_uid="u1",probe_type="Readiness",result="successful"\} 1\n$/);
});
