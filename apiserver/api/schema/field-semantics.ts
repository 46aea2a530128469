// How Kubernetes merges each field that does not merge the default way: list types and their map
// keys, strategic-merge patch strategies, atomic maps and structs, and which fields hold resource
// quantities. These are facts of the Kubernetes 1.32 API (the +listType/+listMapKey/+mapType/
// +structType markers and patchStrategy/patchMergeKey struct tags of its Go types), kept as one
// table keyed by API package and type name. Everything not listed merges as Kubernetes' default:
// structs and maps field by field, lists as atomic values.

export interface FieldSemantics {
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  patchStrategy?: string;
  patchMergeKey?: string;
  mapType?: 'atomic' | 'granular';
  /** The field holds resource.Quantity values (a quantity, or a map of them). */
  quantity?: boolean;
}

/** A list keyed by `keys`, merged by the first key under strategic merge patch. */
function mergeMap(...keys: string[]): FieldSemantics & { retainKeys: FieldSemantics } {
  const s: FieldSemantics = { listType: 'map', listMapKeys: keys, patchStrategy: 'merge', patchMergeKey: keys[0] };
  return { ...s, retainKeys: { ...s, patchStrategy: 'merge,retainKeys' } };
}
const keyedList = (...keys: string[]): FieldSemantics => ({ listType: 'map', listMapKeys: keys });
const atomicList: FieldSemantics = { listType: 'atomic' };
const setList: FieldSemantics = { listType: 'set' };
const mergeSet: FieldSemantics = { listType: 'set', patchStrategy: 'merge' };
const atomicMap: FieldSemantics = { mapType: 'atomic' };
const granularMap: FieldSemantics = { mapType: 'granular' };
const quantity: FieldSemantics = { quantity: true };

/**
 * package ("core/v1") -> type ("PodSpec") -> JSON field name -> semantics. The key '' holds the
 * type's own semantics (+structType).
 */
export const fieldSemantics: Record<string, Record<string, Record<string, FieldSemantics>>> = {
  'meta/v1': {
    APIGroup: { versions: atomicList, serverAddressByClientCIDRs: atomicList },
    APIGroupList: { groups: atomicList },
    APIResource: { shortNames: atomicList, categories: atomicList },
    APIResourceList: { resources: atomicList },
    APIVersions: { versions: atomicList, serverAddressByClientCIDRs: atomicList },
    ApplyOptions: { dryRun: atomicList },
    CreateOptions: { dryRun: atomicList },
    DeleteOptions: { dryRun: atomicList },
    FieldSelectorRequirement: { values: atomicList },
    LabelSelector: { '': atomicMap, matchExpressions: atomicList },
    LabelSelectorRequirement: { values: atomicList },
    ObjectMeta: { ownerReferences: mergeMap('uid'), finalizers: mergeSet, managedFields: atomicList },
    OwnerReference: { '': atomicMap },
    PatchOptions: { dryRun: atomicList },
    RootPaths: { paths: atomicList },
    Status: { details: atomicList },
    StatusDetails: { causes: atomicList },
    Table: { columnDefinitions: atomicList, rows: atomicList },
    TableRow: { cells: atomicList, conditions: atomicList },
    UpdateOptions: { dryRun: atomicList },
  },
  'core/v1': {
    AvoidPods: { preferAvoidPods: atomicList },
    Capabilities: { add: atomicList, drop: atomicList },
    CephFSPersistentVolumeSource: { monitors: atomicList },
    CephFSVolumeSource: { monitors: atomicList },
    ComponentStatus: { conditions: mergeMap('type') },
    ConfigMapEnvSource: {  },
    ConfigMapKeySelector: { '': atomicMap },
    ConfigMapProjection: { items: atomicList },
    ConfigMapVolumeSource: { items: atomicList },
    Container: { command: atomicList, args: atomicList, ports: mergeMap('containerPort', 'protocol'), envFrom: atomicList, env: mergeMap('name'), resizePolicy: atomicList, volumeMounts: mergeMap('mountPath'), volumeDevices: mergeMap('devicePath') },
    ContainerImage: { names: atomicList },
    ContainerStatus: { allocatedResources: quantity, volumeMounts: mergeMap('mountPath'), allocatedResourcesStatus: mergeMap('name') },
    DownwardAPIProjection: { items: atomicList },
    DownwardAPIVolumeSource: { items: atomicList },
    EmptyDirVolumeSource: { sizeLimit: quantity },
    EndpointAddress: { '': atomicMap },
    EndpointPort: { '': atomicMap },
    EndpointSubset: { addresses: atomicList, notReadyAddresses: atomicList, ports: atomicList },
    Endpoints: { subsets: atomicList },
    EphemeralContainer: { command: atomicList, args: atomicList, ports: mergeMap('containerPort', 'protocol'), envFrom: atomicList, env: mergeMap('name'), resizePolicy: atomicList, volumeMounts: mergeMap('mountPath'), volumeDevices: mergeMap('devicePath') },
    ExecAction: { command: atomicList },
    FCVolumeSource: { targetWWNs: atomicList, wwids: atomicList },
    HTTPGetAction: { httpHeaders: atomicList },
    HostAlias: { hostnames: atomicList },
    ISCSIPersistentVolumeSource: { portals: atomicList },
    ISCSIVolumeSource: { portals: atomicList },
    LimitRangeItem: { max: quantity, min: quantity, default: quantity, defaultRequest: quantity, maxLimitRequestRatio: quantity },
    LimitRangeSpec: { limits: atomicList },
    LinuxContainerUser: { supplementalGroups: atomicList },
    LoadBalancerIngress: { ports: atomicList },
    LoadBalancerStatus: { ingress: atomicList },
    LocalObjectReference: { '': atomicMap },
    NamespaceSpec: { finalizers: atomicList },
    NamespaceStatus: { conditions: mergeMap('type') },
    NodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: atomicList },
    NodeSelector: { '': atomicMap, nodeSelectorTerms: atomicList },
    NodeSelectorRequirement: { values: atomicList },
    NodeSelectorTerm: { '': atomicMap, matchExpressions: atomicList, matchFields: atomicList },
    NodeSpec: { podCIDRs: mergeSet, taints: atomicList },
    NodeStatus: { capacity: quantity, allocatable: quantity, conditions: mergeMap('type'), addresses: mergeMap('type'), images: atomicList, volumesInUse: atomicList, volumesAttached: atomicList, runtimeHandlers: atomicList },
    ObjectFieldSelector: { '': atomicMap },
    ObjectReference: { '': atomicMap },
    PersistentVolumeClaimSpec: { accessModes: atomicList },
    PersistentVolumeClaimStatus: { accessModes: atomicList, capacity: quantity, conditions: mergeMap('type'), allocatedResources: quantity, allocatedResourceStatuses: granularMap },
    PersistentVolumeSpec: { capacity: quantity, accessModes: atomicList, claimRef: granularMap, mountOptions: atomicList },
    PodAffinity: { requiredDuringSchedulingIgnoredDuringExecution: atomicList, preferredDuringSchedulingIgnoredDuringExecution: atomicList },
    PodAffinityTerm: { namespaces: atomicList, matchLabelKeys: atomicList, mismatchLabelKeys: atomicList },
    PodAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: atomicList, preferredDuringSchedulingIgnoredDuringExecution: atomicList },
    PodDNSConfig: { nameservers: atomicList, searches: atomicList, options: atomicList },
    PodExecOptions: { command: atomicList },
    PodPortForwardOptions: { ports: atomicList },
    PodSecurityContext: { supplementalGroups: atomicList, sysctls: atomicList },
    PodSpec: { volumes: mergeMap('name').retainKeys, initContainers: mergeMap('name'), containers: mergeMap('name'), ephemeralContainers: mergeMap('name'), nodeSelector: atomicMap, imagePullSecrets: mergeMap('name'), tolerations: atomicList, hostAliases: mergeMap('ip'), readinessGates: atomicList, overhead: quantity, topologySpreadConstraints: mergeMap('topologyKey', 'whenUnsatisfiable'), schedulingGates: mergeMap('name'), resourceClaims: mergeMap('name').retainKeys },
    PodStatus: { conditions: mergeMap('type'), hostIPs: {patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic'}, podIPs: mergeMap('ip'), initContainerStatuses: atomicList, containerStatuses: atomicList, ephemeralContainerStatuses: atomicList, resourceClaimStatuses: mergeMap('name').retainKeys },
    ProjectedVolumeSource: { sources: atomicList },
    RBDPersistentVolumeSource: { monitors: atomicList },
    RBDVolumeSource: { monitors: atomicList },
    ReplicationControllerSpec: { selector: atomicMap },
    ReplicationControllerStatus: { conditions: mergeMap('type') },
    ResourceFieldSelector: { '': atomicMap, divisor: quantity },
    ResourceQuotaSpec: { hard: quantity, scopes: atomicList },
    ResourceQuotaStatus: { hard: quantity, used: quantity },
    ResourceRequirements: { limits: quantity, requests: quantity, claims: keyedList('name') },
    ResourceStatus: { resources: keyedList('resourceID') },
    ScopeSelector: { '': atomicMap, matchExpressions: atomicList },
    ScopedResourceSelectorRequirement: { values: atomicList },
    SecretEnvSource: {  },
    SecretKeySelector: { '': atomicMap },
    SecretProjection: { items: atomicList },
    SecretReference: { '': atomicMap },
    SecretVolumeSource: { items: atomicList },
    ServiceAccount: { secrets: mergeMap('name'), imagePullSecrets: atomicList },
    ServiceSpec: { ports: mergeMap('port', 'protocol'), selector: atomicMap, clusterIPs: atomicList, externalIPs: atomicList, loadBalancerSourceRanges: atomicList, ipFamilies: atomicList },
    ServiceStatus: { conditions: mergeMap('type') },
    TopologySelectorLabelRequirement: { values: atomicList },
    TopologySelectorTerm: { '': atomicMap, matchLabelExpressions: atomicList },
    TopologySpreadConstraint: { matchLabelKeys: atomicList },
    TypedLocalObjectReference: { '': atomicMap },
    VolumeResourceRequirements: { limits: quantity, requests: quantity },
  },
  'apps/v1': {
    DaemonSetStatus: { conditions: mergeMap('type') },
    DeploymentSpec: { strategy: { patchStrategy: 'retainKeys' } },
    DeploymentStatus: { conditions: mergeMap('type') },
    ReplicaSetStatus: { conditions: mergeMap('type') },
    StatefulSetSpec: { volumeClaimTemplates: atomicList },
    StatefulSetStatus: { conditions: mergeMap('type') },
  },
  'batch/v1': {
    CronJobStatus: { active: atomicList },
    JobStatus: { conditions: {patchStrategy: 'merge', patchMergeKey: 'type', listType: 'atomic'} },
    PodFailurePolicy: { rules: atomicList },
    PodFailurePolicyOnExitCodesRequirement: { values: setList },
    PodFailurePolicyRule: { onPodConditions: atomicList },
    SuccessPolicy: { rules: atomicList },
    UncountedTerminatedPods: { succeeded: setList, failed: setList },
  },
  'autoscaling/v1': {
    ContainerResourceMetricSource: { targetAverageValue: quantity },
    ContainerResourceMetricStatus: { currentAverageValue: quantity },
    CrossVersionObjectReference: { '': atomicMap },
    ExternalMetricSource: { targetValue: quantity, targetAverageValue: quantity },
    ExternalMetricStatus: { currentValue: quantity, currentAverageValue: quantity },
    ObjectMetricSource: { targetValue: quantity, averageValue: quantity },
    ObjectMetricStatus: { currentValue: quantity, averageValue: quantity },
    PodsMetricSource: { targetAverageValue: quantity },
    PodsMetricStatus: { currentAverageValue: quantity },
    ResourceMetricSource: { targetAverageValue: quantity },
    ResourceMetricStatus: { currentAverageValue: quantity },
  },
  'autoscaling/v2': {
    HPAScalingRules: { policies: atomicList },
    HorizontalPodAutoscalerSpec: { metrics: atomicList },
    HorizontalPodAutoscalerStatus: { currentMetrics: atomicList, conditions: mergeMap('type') },
    MetricTarget: { value: quantity, averageValue: quantity },
    MetricValueStatus: { value: quantity, averageValue: quantity },
  },
  'policy/v1': {
    PodDisruptionBudgetSpec: { selector: {patchStrategy: 'replace'} },
    PodDisruptionBudgetStatus: { conditions: mergeMap('type') },
  },
  'networking/v1': {
    HTTPIngressRuleValue: { paths: atomicList },
    IPBlock: { except: atomicList },
    IngressLoadBalancerIngress: { ports: atomicList },
    IngressLoadBalancerStatus: { ingress: atomicList },
    IngressSpec: { tls: atomicList, rules: atomicList },
    IngressTLS: { hosts: atomicList },
    NetworkPolicyEgressRule: { ports: atomicList, to: atomicList },
    NetworkPolicyIngressRule: { ports: atomicList, from: atomicList },
    NetworkPolicySpec: { ingress: atomicList, egress: atomicList, policyTypes: atomicList },
    ServiceBackendPort: { '': atomicMap },
  },
  'rbac/v1': {
    AggregationRule: { clusterRoleSelectors: atomicList },
    ClusterRole: { rules: atomicList },
    ClusterRoleBinding: { subjects: atomicList },
    PolicyRule: { verbs: atomicList, apiGroups: atomicList, resources: atomicList, resourceNames: atomicList, nonResourceURLs: atomicList },
    Role: { rules: atomicList },
    RoleBinding: { subjects: atomicList },
    RoleRef: { '': atomicMap },
    Subject: { '': atomicMap },
  },
  'storage/v1': {
    CSIDriverSpec: { volumeLifecycleModes: setList, tokenRequests: atomicList },
    CSINodeDriver: { topologyKeys: atomicList },
    CSINodeSpec: { drivers: mergeMap('name') },
    CSIStorageCapacity: { capacity: quantity, maximumVolumeSize: quantity },
    StorageClass: { mountOptions: atomicList, allowedTopologies: atomicList },
  },
  'certificates/v1': {
    CertificateSigningRequestSpec: { request: atomicList, usages: atomicList, groups: atomicList },
    CertificateSigningRequestStatus: { conditions: keyedList('type'), certificate: atomicList },
  },
  'node/v1': {
    Overhead: { podFixed: quantity },
    Scheduling: { nodeSelector: atomicMap, tolerations: atomicList },
  },
  'discovery/v1': {
    Endpoint: { addresses: setList },
    EndpointHints: { forZones: atomicList },
    EndpointPort: { '': atomicMap },
    EndpointSlice: { endpoints: atomicList, ports: atomicList },
  },
  'admissionregistration/v1': {
    MatchResources: { '': atomicMap, resourceRules: atomicList, excludeResourceRules: atomicList },
    MutatingWebhook: { rules: atomicList, admissionReviewVersions: atomicList, matchConditions: mergeMap('name') },
    MutatingWebhookConfiguration: { webhooks: mergeMap('name') },
    NamedRuleWithOperations: { '': atomicMap, resourceNames: atomicList, operations: atomicList },
    ParamKind: { '': atomicMap },
    ParamRef: { '': atomicMap },
    Rule: { apiGroups: atomicList, apiVersions: atomicList, resources: atomicList },
    RuleWithOperations: { operations: atomicList, apiGroups: atomicList, apiVersions: atomicList, resources: atomicList },
    TypeChecking: { expressionWarnings: atomicList },
    ValidatingAdmissionPolicyBindingSpec: { validationActions: setList },
    ValidatingAdmissionPolicySpec: { validations: atomicList, auditAnnotations: atomicList, matchConditions: mergeMap('name'), variables: mergeMap('name') },
    ValidatingAdmissionPolicyStatus: { conditions: keyedList('type') },
    ValidatingWebhook: { rules: atomicList, admissionReviewVersions: atomicList, matchConditions: mergeMap('name') },
    ValidatingWebhookConfiguration: { webhooks: mergeMap('name') },
    Variable: { '': atomicMap },
  },
  'authentication/v1': {
    TokenRequestSpec: { audiences: atomicList },
    TokenReviewSpec: { audiences: atomicList },
    TokenReviewStatus: { audiences: atomicList },
    UserInfo: { groups: atomicList },
  },
  'authorization/v1': {
    FieldSelectorAttributes: { requirements: atomicList },
    LabelSelectorAttributes: { requirements: atomicList },
    NonResourceRule: { verbs: atomicList, nonResourceURLs: atomicList },
    ResourceRule: { verbs: atomicList, apiGroups: atomicList, resources: atomicList, resourceNames: atomicList },
    SubjectAccessReviewSpec: { groups: atomicList },
    SubjectRulesReviewStatus: { resourceRules: atomicList, nonResourceRules: atomicList },
  },
  'apiextensions/v1': {
    ConversionRequest: { objects: atomicList },
    ConversionResponse: { convertedObjects: atomicList },
    CustomResourceDefinitionNames: { shortNames: atomicList, categories: atomicList },
    CustomResourceDefinitionSpec: { versions: atomicList },
    CustomResourceDefinitionStatus: { conditions: keyedList('type'), storedVersions: atomicList },
    CustomResourceDefinitionVersion: { additionalPrinterColumns: atomicList, selectableFields: atomicList },
    JSONSchemaProps: { enum: atomicList, required: atomicList, allOf: atomicList, oneOf: atomicList, anyOf: atomicList, "x-kubernetes-list-map-keys": atomicList, "x-kubernetes-validations": mergeMap('rule') },
    WebhookConversion: { conversionReviewVersions: atomicList },
  },
  'apiregistration/v1': {
    APIServiceSpec: { caBundle: atomicList },
    APIServiceStatus: { conditions: mergeMap('type') },
  },
};

/** The semantics of field `field` of type `typeName` in package `pkg`, if it is not the default. */
export function semanticsOf(pkg: string, typeName: string, field: string): FieldSemantics | undefined {
  return fieldSemantics[pkg]?.[typeName]?.[field];
}
