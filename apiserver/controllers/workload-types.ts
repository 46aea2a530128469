// The wire types of the kinds the workload controllers read and write (deployments, daemonsets,
// jobs, services, quotas, ...), beside the core ones lib/client already names; their resources
// are in lib/client/resource-types.ts. Only types from @kubernetes/client-node are imported,
// never its runtime.
import type {
  V1ControllerRevision, V1CronJob, V1DaemonSet, V1Deployment, V1DeploymentCondition, V1EndpointSlice, V1Endpoints,
  V1Job, V1JobCondition, V1LimitRange, V1PersistentVolumeClaim, V1PodDisruptionBudget, V1PodTemplateSpec,
  V1ReplicaSetCondition, V1ReplicationController, V1ResourceQuota, V1Service, V1StatefulSet, V1Secret,
} from '@kubernetes/client-node';
import type { Wire } from '../../lib/client/types.js';

export type Deployment = Wire<V1Deployment>;
export type DeploymentCondition = Wire<V1DeploymentCondition>;
export type ReplicaSetCondition = Wire<V1ReplicaSetCondition>;
export type ReplicationController = Wire<V1ReplicationController>;
export type PodTemplateSpec = Wire<V1PodTemplateSpec>;
export type DaemonSet = Wire<V1DaemonSet>;
export type StatefulSet = Wire<V1StatefulSet>;
export type ControllerRevision = Wire<V1ControllerRevision>;
export type Job = Wire<V1Job>;
export type JobCondition = Wire<V1JobCondition>;
export type CronJob = Wire<V1CronJob>;
export type Service = Wire<V1Service>;
export type Endpoints = Wire<V1Endpoints>;
export type EndpointSlice = Wire<V1EndpointSlice>;
export type ResourceQuota = Wire<V1ResourceQuota>;
export type LimitRange = Wire<V1LimitRange>;
export type PodDisruptionBudget = Wire<V1PodDisruptionBudget>;
export type PersistentVolumeClaim = Wire<V1PersistentVolumeClaim>;
export type Secret = Wire<V1Secret>;
