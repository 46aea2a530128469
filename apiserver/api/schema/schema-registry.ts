// The one place schemas are looked up: built-in kinds (built lazily, once, from the client
// library's models) and custom resources (registered by the CRD controller as CRDs become
// established). OpenAPI, field validation, pruning, patch and apply all read from here.
import { logger } from '../../../lib/log.js';
import type { Registry } from '../registry.js';
import { buildBuiltinDefinitions, type KindRef } from './builtin-definitions.js';
import type { Definitions, GroupVersionKind, Schema } from './schema.js';

const log = logger('schema');

export interface KindSchema {
  /** Definition name, e.g. "io.k8s.api.apps.v1.Deployment". */
  name: string;
  schema: Schema;
  /** Whether the kind is a custom resource (no strategic merge patch, CRD validation rules). */
  custom: boolean;
}

const gvkKey = (g: GroupVersionKind) => `${g.group}/${g.version}/${g.kind}`;

export class SchemaRegistry {
  private builtin?: { definitions: Map<string, Schema>; byGVK: Map<string, string> };
  private readonly custom = new Map<string, { name: string; schema: Schema }>();
  private readonly customDefs = new Map<string, Schema>();
  private merged?: Map<string, Schema>;
  private generation = 0;

  /** `builtinKinds` in preference order (core first): their models are named after the first group reaching them. */
  constructor(private readonly builtinKinds: readonly KindRef[]) {}

  /** The schemas of every kind a registry of built-in resources serves (plus autoscaling/v1 Scale). */
  static forBuiltins(registry: Registry): SchemaRegistry {
    const kinds: KindRef[] = registry.all().flatMap((d) => d.versions.map((v) => ({ group: d.group, version: v.name, kind: d.kind, listKind: d.listKind })));
    const core = kinds.filter((k) => k.group === '');
    return new SchemaRegistry([...core, ...kinds.filter((k) => k.group !== ''), { group: 'autoscaling', version: 'v1', kind: 'Scale' }]);
  }

  /** Bumped whenever custom schemas change, so OpenAPI caches know to rebuild. */
  get version(): number {
    return this.generation;
  }

  /** Builds the built-in definitions now rather than on first use (returns how long it took, in ms). */
  warm(): number {
    const started = performance.now();
    this.builtins();
    return performance.now() - started;
  }

  private builtins(): { definitions: Map<string, Schema>; byGVK: Map<string, string> } {
    if (!this.builtin) {
      const started = performance.now();
      this.builtin = buildBuiltinDefinitions(this.builtinKinds);
      log.info({ definitions: this.builtin.definitions.size, ms: Math.round(performance.now() - started) }, 'built-in schemas built');
    }
    return this.builtin;
  }

  /** Every definition, built-in and custom. */
  definitions(): Definitions {
    if (!this.merged) this.merged = new Map([...this.builtins().definitions, ...this.customDefs]);
    return this.merged;
  }

  /** Definition names of the custom kinds (not their lists). */
  customKindNames(): string[] {
    return [...this.custom.values()].map((c) => c.name);
  }

  forKind(gvk: GroupVersionKind): KindSchema | undefined {
    const c = this.custom.get(gvkKey(gvk));
    if (c) return { ...c, custom: true };
    const name = this.builtins().byGVK.get(gvkKey(gvk));
    if (!name) return undefined;
    return { name, schema: this.builtins().definitions.get(name)!, custom: false };
  }

  /** Registers (or replaces) the schema of a custom kind and its list kind. */
  setCustom(gvk: GroupVersionKind, name: string, schema: Schema, extra: ReadonlyMap<string, Schema> = new Map()): void {
    this.custom.set(gvkKey(gvk), { name, schema });
    this.customDefs.set(name, schema);
    for (const [n, s] of extra) this.customDefs.set(n, s);
    this.changed();
  }

  removeCustom(gvk: GroupVersionKind, names: readonly string[]): void {
    const c = this.custom.get(gvkKey(gvk));
    if (!c) return;
    this.custom.delete(gvkKey(gvk));
    for (const n of [c.name, ...names]) this.customDefs.delete(n);
    this.changed();
  }

  private changed(): void {
    this.merged = undefined;
    this.generation++;
  }
}
