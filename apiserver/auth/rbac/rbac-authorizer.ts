// The RBAC authorizer. Roles and bindings are held in memory, followed from storage, and
// indexed by subject; the rules a user has in a namespace are resolved once and cached until
// an RBAC object changes, so a decision is a map lookup and a short scan of that user's rules.
import { logger } from '../../../lib/log.js';
import type { Binding, PolicyRule, Role, RoleRef } from '../../api/kinds/rbac.js';
import type { ApiContext } from '../../registry/api-context.js';
import type { UserInfo } from '../../registry/context.js';
import { decoded } from '../../registry/decoded.js';
import type { StoreEvent, Watcher } from '../../storage/interfaces.js';
import type { AuthorizationAttributes, Decision } from '../authorize.js';
import { ruleAllows, type RuleRequest } from './rule-match.js';

const log = logger('rbac');
const group = 'rbac.authorization.k8s.io';
const plurals = ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings'] as const;
type Plural = (typeof plurals)[number];

/** A cache this large is dropped whole: it only saves work, and users come back. */
const maxCachedUsers = 10_000;

/** The keys a subject matches a user by (a service account is a user name). */
function subjectKeys(b: Binding, bindingNamespace: string): string[] {
  return (b.subjects ?? []).flatMap((s) => {
    if (s.kind === 'User') return [`u:${s.name}`];
    if (s.kind === 'Group') return [`g:${s.name}`];
    if (s.kind === 'ServiceAccount') return [`u:system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`];
    return [];
  });
}

function userKeys(user: UserInfo): string[] {
  return [`u:${user.name}`, ...user.groups.map((g) => `g:${g}`)];
}

interface Indexed {
  /** Cluster-wide grants by subject key. */
  cluster: Map<string, RoleRef[]>;
  /** Namespace -> subject key -> (role refs, with the binding's namespace for Roles). */
  namespaced: Map<string, Map<string, RoleRef[]>>;
}

export class RbacAuthorizer {
  /** Stored objects by plural, then "ns/name". */
  private readonly objects = new Map<Plural, Map<string, Role | Binding>>(plurals.map((p) => [p, new Map()]));
  private index: Indexed | undefined;
  private readonly cache = new Map<string, PolicyRule[]>();
  private watchers: Watcher[] = [];

  constructor(private readonly api: ApiContext) {}

  /** Loads every role and binding, then follows changes. */
  start(): void {
    for (const plural of plurals) {
      const prefix = this.api.storeFor(group, plural).prefix('');
      const list = this.api.store.list(prefix);
      for (const kv of list.items) this.put(plural, decoded(kv) as Role | Binding);
      this.watchers.push(this.api.store.watch(prefix, {
        fromRevision: list.revision,
        onEvents: (events: readonly StoreEvent[]) => {
          for (const e of events) {
            const obj = JSON.parse(e.kv.value) as Role | Binding;
            if (e.type === 'DELETED') this.objects.get(plural)?.delete(keyOf(obj));
            else this.put(plural, obj);
          }
          this.changed();
        },
      }));
    }
    this.changed();
  }

  stop(): void {
    for (const w of this.watchers) w.stop();
    this.watchers = [];
  }

  private put(plural: Plural, obj: Role | Binding): void {
    this.objects.get(plural)?.set(keyOf(obj), obj);
  }

  private changed(): void {
    this.index = undefined;
    this.cache.clear();
  }

  /** The authorizer function: allow when a rule allows, otherwise no opinion. */
  readonly authorize = (a: AuthorizationAttributes): Decision => {
    const info = a.info;
    const req: RuleRequest = info.kind === 'nonresource'
      ? { kind: 'nonresource', verb: info.verb, path: info.path }
      : { kind: 'resource', verb: info.verb, group: info.group, resource: info.resource, subresource: info.subresource, name: info.name };
    const namespace = info.kind === 'resource' ? info.namespace : '';
    return this.allows(a.user, namespace, req) ? 'allow' : 'no-opinion';
  };

  allows(user: UserInfo, namespace: string, req: RuleRequest): boolean {
    return this.rulesFor(user, namespace).some((r) => ruleAllows(r, req));
  }

  /** Every rule that applies to the user's requests in `namespace` ('' = cluster scope only). */
  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    const key = `${user.name}\0${user.groups.join('\0')}\0\0${namespace}`;
    let rules = this.cache.get(key);
    if (!rules) {
      rules = this.resolve(user, namespace);
      if (this.cache.size >= maxCachedUsers) this.cache.clear();
      this.cache.set(key, rules);
    }
    return rules;
  }

  private resolve(user: UserInfo, namespace: string): PolicyRule[] {
    const idx = (this.index ??= this.buildIndex());
    const out: PolicyRule[] = [];
    const keys = userKeys(user);
    for (const k of keys) for (const ref of idx.cluster.get(k) ?? []) out.push(...this.roleRules(ref, ''));
    if (namespace) {
      const ns = idx.namespaced.get(namespace);
      for (const k of keys) for (const ref of ns?.get(k) ?? []) out.push(...this.roleRules(ref, namespace));
    }
    return out;
  }

  private roleRules(ref: RoleRef, namespace: string): PolicyRule[] {
    const role = ref.kind === 'ClusterRole'
      ? this.objects.get('clusterroles')?.get(`/${ref.name}`)
      : this.objects.get('roles')?.get(`${namespace}/${ref.name}`);
    return (role as Role | undefined)?.rules ?? [];
  }

  private buildIndex(): Indexed {
    const idx: Indexed = { cluster: new Map(), namespaced: new Map() };
    const add = (m: Map<string, RoleRef[]>, k: string, ref: RoleRef) => {
      const list = m.get(k);
      if (list) list.push(ref);
      else m.set(k, [ref]);
    };
    for (const b of this.objects.get('clusterrolebindings')?.values() ?? []) {
      const ref = (b as Binding).roleRef;
      if (ref?.kind !== 'ClusterRole') continue;
      for (const k of subjectKeys(b as Binding, '')) add(idx.cluster, k, ref);
    }
    for (const b of this.objects.get('rolebindings')?.values() ?? []) {
      const ns = b.metadata.namespace ?? '';
      const ref = (b as Binding).roleRef;
      if (!ref) continue;
      let m = idx.namespaced.get(ns);
      if (!m) idx.namespaced.set(ns, (m = new Map()));
      for (const k of subjectKeys(b as Binding, ns)) add(m, k, ref);
    }
    log.debug({ clusterSubjects: idx.cluster.size, namespaces: idx.namespaced.size }, 'rbac index built');
    return idx;
  }
}

function keyOf(obj: Role | Binding): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}
