// The Node authorizer: what a kubelet (user system:node:<name> in group system:nodes) may do.
// Secrets, ConfigMaps, claims, their volumes and service account tokens: only those its own
// pods name (node-graph.ts), and the TLS Secrets of Ingresses its built-in Ingress controller
// serves; Secrets and ConfigMaps one at a time by get, or by list/watch with a metadata.name
// fieldSelector (request-info.ts's authorizationInfo names the object); Ingresses and IngressClasses: read (the controller's routes). Its Lease: only its own. Everything else: what the system:node
// role grants, where NodeRestriction (node-restriction.ts) then limits writes to its own Node
// and pods. Other users: no opinion. Like Kubernetes' it says "no opinion, and why" where it
// refuses, so RBAC may still grant a node more, and the 403 carries the reason.
import type { PolicyRule } from '../../api/kinds/rbac.js';
import type { UserInfo } from '../../registry/context.js';
import type { AuthorizationAttributes, Verdict } from '../authorize.js';
import { bootstrapPolicy } from '../rbac/policy/index.js';
import { ruleAllows } from '../rbac/rule-match.js';
import type { NodeGraph } from './node-graph.js';

const nodePrefix = 'system:node:';

/** The node a user is, if it is one (kubelets' credentials: system:node:<name>, group system:nodes). */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.groups.includes('system:nodes') || !user.name.startsWith(nodePrefix)) return undefined;
  return user.name.slice(nodePrefix.length) || undefined;
}

/** Read one by one (get, or list/watch with a metadata.name fieldSelector), as kubelet's watching Secret manager does. */
const readOneResources = new Set(['secrets', 'configmaps']);
/** What the node's Ingress controller routes by (k8ts' addition: upstream nodes read neither). */
const ingressResources = new Set(['ingresses', 'ingressclasses']);
const readVerbs = new Set(['get', 'list', 'watch']);
const leaseVerbs = new Set(['get', 'create', 'update', 'patch', 'delete']);

export class NodeAuthorizer {
  private readonly nodeRules: PolicyRule[];

  constructor(private readonly graph: NodeGraph) {
    this.nodeRules = bootstrapPolicy().clusterRoles.find((r) => r.metadata.name === 'system:node')?.rules ?? [];
  }

  readonly authorize = (a: AuthorizationAttributes): Verdict => {
    const node = nodeNameOf(a.user);
    if (!node) return { decision: 'no-opinion' };
    const info = a.info;
    if (info.kind === 'nonresource') return { decision: 'no-opinion' };
    const noRelationship = { decision: 'no-opinion' as const, reason: `no relationship found between node '${node}' and this object` };
    if (info.group === '' && readOneResources.has(info.resource)) {
      if (!readVerbs.has(info.verb)) return { decision: 'no-opinion', reason: 'can only read resources of this type' };
      if (info.subresource) return { decision: 'no-opinion', reason: 'cannot read subresource' };
      if (!info.namespace) return { decision: 'no-opinion', reason: 'can only read namespaced object of this type' };
      if (!info.name) return { decision: 'no-opinion', reason: 'No Object name found' };
      if (this.graph.names(node, info.resource, info.namespace, info.name)) return { decision: 'allow' };
      return info.resource === 'secrets' && this.graph.ingressTlsSecret(info.namespace, info.name) ? { decision: 'allow' } : noRelationship;
    }
    if (info.group === '' && info.resource === 'persistentvolumeclaims' && !info.subresource) {
      if (info.verb !== 'get') return { decision: 'no-opinion', reason: 'can only get individual resources of this type' };
      return this.graph.names(node, info.resource, info.namespace, info.name) ? { decision: 'allow' } : noRelationship;
    }
    if (info.group === 'networking.k8s.io' && ingressResources.has(info.resource) && !info.subresource) {
      return readVerbs.has(info.verb) ? { decision: 'allow' } : { decision: 'no-opinion', reason: `can only read ${info.resource}` };
    }
    if (info.group === '' && info.resource === 'persistentvolumes' && !info.subresource) {
      if (info.verb !== 'get') return { decision: 'no-opinion', reason: 'can only get individual resources of this type' };
      return this.graph.usesVolume(node, info.name) ? { decision: 'allow' } : noRelationship;
    }
    if (info.group === '' && info.resource === 'serviceaccounts' && info.subresource === 'token') {
      if (info.verb !== 'create') return { decision: 'no-opinion', reason: 'can only create tokens for individual service accounts' };
      return this.graph.names(node, 'serviceaccounts', info.namespace, info.name) ? { decision: 'allow' } : noRelationship;
    }
    if (info.group === 'coordination.k8s.io' && info.resource === 'leases') {
      if (!leaseVerbs.has(info.verb)) return { decision: 'no-opinion', reason: 'can only get, create, update, patch, or delete a node lease' };
      if (info.namespace !== 'kube-node-lease') return { decision: 'no-opinion', reason: 'can only access leases in the kube-node-lease namespace' };
      if (info.verb !== 'create' && info.name !== node) return { decision: 'no-opinion', reason: 'can only access node lease with the same name as the requesting node' };
      return { decision: 'allow' };
    }
    const req = { kind: 'resource' as const, verb: info.verb, group: info.group, resource: info.resource, subresource: info.subresource, name: info.name };
    return this.nodeRules.some((r) => ruleAllows(r, req)) ? { decision: 'allow' } : { decision: 'no-opinion' };
  };
}
