// The resource registry: every served group, version and resource, looked up by URL parts
// and listed for discovery. Built-in kinds register at start; CRDs add and remove at run time.
import type { ResourceDef } from './resource.js';

/** A resource as served at one version. */
export interface ServedResource {
  def: ResourceDef;
  version: string;
}

export interface GroupInfo {
  name: string;
  /** Versions in preference order. */
  versions: string[];
}

type Listener = () => void;

export class Registry {
  private readonly byPath = new Map<string, ServedResource>();
  private readonly defs = new Map<string, ResourceDef>();
  /** Group preference order: registration order, as Kubernetes lists built-in groups. */
  private readonly groupOrder: string[] = [];
  private readonly groupVersions = new Map<string, string[]>();
  private readonly listeners = new Set<Listener>();
  private generation = 0;

  /** Bumped on every change, so caches of discovery and OpenAPI know when to rebuild. */
  get version(): number {
    return this.generation;
  }

  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Pre-declares a group's version order (e.g. autoscaling: v2 before v1). */
  declareGroup(group: string, versions: string[]): void {
    if (!this.groupOrder.includes(group)) this.groupOrder.push(group);
    const known = this.groupVersions.get(group) ?? [];
    this.groupVersions.set(group, [...new Set([...versions, ...known])]);
  }

  /** Adds a version after the ones already known, so a declared (or first) preference stands. */
  private appendVersion(group: string, version: string): void {
    if (!this.groupOrder.includes(group)) this.groupOrder.push(group);
    const known = this.groupVersions.get(group) ?? [];
    if (!known.includes(version)) this.groupVersions.set(group, [...known, version]);
  }

  add(def: ResourceDef): void {
    this.defs.set(`${def.group}/${def.plural}`, def);
    for (const v of def.versions) {
      this.byPath.set(`${def.group}/${v.name}/${def.plural}`, { def, version: v.name });
      this.appendVersion(def.group, v.name);
    }
    this.changed();
  }

  remove(group: string, plural: string): void {
    const def = this.defs.get(`${group}/${plural}`);
    if (!def) return;
    this.defs.delete(`${group}/${plural}`);
    for (const v of def.versions) this.byPath.delete(`${group}/${v.name}/${plural}`);
    const stillServed = new Set([...this.byPath.values()].filter((s) => s.def.group === group).map((s) => s.version));
    if (stillServed.size === 0) {
      this.groupVersions.delete(group);
      this.groupOrder.splice(this.groupOrder.indexOf(group), 1);
    } else {
      this.groupVersions.set(group, (this.groupVersions.get(group) ?? []).filter((v) => stillServed.has(v)));
    }
    this.changed();
  }

  private changed(): void {
    this.generation++;
    for (const fn of this.listeners) fn();
  }

  lookup(group: string, version: string, plural: string): ServedResource | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  definition(group: string, plural: string): ResourceDef | undefined {
    return this.defs.get(`${group}/${plural}`);
  }

  /** Finds a definition by kind (for ownerReferences and the like). */
  byKind(group: string, kind: string): ResourceDef | undefined {
    for (const def of this.defs.values()) if (def.group === group && def.kind === kind) return def;
    return undefined;
  }

  all(): ResourceDef[] {
    return [...this.defs.values()];
  }

  groups(): GroupInfo[] {
    return this.groupOrder
      .map((name) => ({ name, versions: (this.groupVersions.get(name) ?? []).filter((v) => this.byPath.size === 0 || this.served(name, v)) }))
      .filter((g) => g.versions.length > 0);
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.served(group, version);
  }

  private served(group: string, version: string): boolean {
    for (const s of this.byPath.values()) if (s.def.group === group && s.version === version) return true;
    return false;
  }

  /** Resources served at group/version, in registration order. */
  resourcesAt(group: string, version: string): ResourceDef[] {
    return [...this.byPath.values()].filter((s) => s.def.group === group && s.version === version).map((s) => s.def);
  }
}
