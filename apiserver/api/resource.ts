// What a resource is: one declarative definition per kind, from which the REST surface,
// discovery, tables and field selectors are derived. What varies between kinds is data and a
// small strategy; the generic store fixes the order in which strategy hooks run.
import type { FieldError } from './field-errors.js';
import type { KubeObject } from './object.js';
import type { NameValidator } from './validation/names.js';
import type { TableDef } from './table.js';

/** Context a strategy hook may need beyond the object itself. */
export interface StrategyContext {
  /** The namespace of the request ('' for cluster-scoped). */
  namespace: string;
  /** Who is acting, for hooks that record it. */
  user?: { name: string; groups: string[] };
  /** Set for writes sent through a subresource (e.g. 'status'). */
  subresource?: string;
}

/**
 * Kind-specific behaviour. Every hook is optional; the generic store calls them in a fixed
 * order: default -> prepareForCreate/Update -> validate/validateUpdate -> canonicalize.
 */
export interface Strategy {
  /** Scheme defaulting (as Kubernetes' SetDefaults_*), applied to every object written. */
  default?(obj: KubeObject): void;
  /** Clears or fixes fields on create (e.g. status := {}). */
  prepareForCreate?(obj: KubeObject, ctx: StrategyContext): void;
  /** Carries over what an update may not change (e.g. status on the main resource). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void;
  validate?(obj: KubeObject, ctx: StrategyContext): FieldError[];
  validateUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): FieldError[];
  /** Warnings returned to the client as `Warning` headers. */
  warnings?(obj: KubeObject, old?: KubeObject): string[];
  /** Normalizes a valid object just before it is stored. */
  canonicalize?(obj: KubeObject): void;
  /**
   * For a status strategy: the metadata a write through /status may not change. By default it
   * may change labels, annotations and the rest, as most of Kubernetes' status strategies allow
   * (only spec and the like are reset); Deployments keep their labels, Pods their owner
   * references, and custom resources everything but status.
   */
  statusResetsMetadata?: 'all' | readonly ('labels' | 'annotations' | 'ownerReferences' | 'finalizers')[];
}

export interface ResourceBehaviour {
  /** Whether metadata.generation is kept and bumped when anything but status/metadata changes. */
  generation: boolean;
  /** PUT on a missing object creates it. */
  allowCreateOnUpdate: boolean;
  /** PUT without metadata.resourceVersion is accepted (last writer wins). */
  allowUnconditionalUpdate: boolean;
  /** Validates metadata.name (a namespaced name is always also path-segment checked). */
  nameValidator: NameValidator;
  /** DELETE returns the object rather than a Status once it is gone. */
  returnDeletedObject: boolean;
}

/** The `scale` subresource, as a view on fields of the object. */
export interface ScaleDef {
  specReplicas: (o: KubeObject) => number;
  setSpecReplicas: (o: KubeObject, n: number) => void;
  statusReplicas: (o: KubeObject) => number;
  /** The label selector as a string (status.selector of the Scale). */
  selector: (o: KubeObject) => string;
}

export interface VersionDef {
  name: string;
  /** Converts a served object of this version into the storage version (default: same fields). */
  toStorage?(obj: KubeObject): KubeObject;
  /** Converts a stored object into this version (default: same fields). */
  fromStorage?(obj: KubeObject): KubeObject;
}

export interface ResourceDef {
  group: string;
  /** The storage version. */
  version: string;
  /** Every version served, storage version included, preferred first. */
  versions: VersionDef[];
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  /** Verbs beyond get/list/watch/create/update/patch/delete/deletecollection are not served. */
  verbs: string[];
  strategy: Strategy;
  /** Strategy for writes through /status; absent means no status subresource. */
  statusStrategy?: Strategy;
  scale?: ScaleDef;
  behaviour: ResourceBehaviour;
  table: TableDef;
  /** Selectable fields beyond metadata.name and metadata.namespace, with how to read them. */
  fieldSelectors: Record<string, (o: KubeObject) => string>;
  /** Storage key prefix (resources that share storage, like the two Event APIs, share it). */
  storagePrefix: string;
  /**
   * apiVersion of stored objects: the def's own group/version unless it shares another
   * resource's storage (events.k8s.io Events are stored as core v1 Events).
   */
  storageApiVersion: string;
  /** Sent as a `Warning` header on every request, for deprecated APIs (e.g. ComponentStatus). */
  deprecationWarning?: string;
}

export interface ResourceInput extends Partial<Omit<ResourceDef, 'behaviour' | 'versions' | 'storageApiVersion'>> {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  versions?: VersionDef[];
  behaviour?: Partial<ResourceBehaviour>;
  storageApiVersion?: string;
}

export const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Fills a resource definition's defaults; kinds state only what is special about them. */
export function defineResource(input: ResourceInput, defaults: { table: TableDef; nameValidator: NameValidator }): ResourceDef {
  const group = input.group;
  return {
    ...input,
    versions: input.versions ?? [{ name: input.version }],
    listKind: input.listKind ?? `${input.kind}List`,
    singular: input.singular ?? input.kind.toLowerCase(),
    shortNames: input.shortNames ?? [],
    categories: input.categories ?? [],
    verbs: input.verbs ?? allVerbs,
    strategy: input.strategy ?? {},
    behaviour: {
      generation: false,
      allowCreateOnUpdate: false,
      allowUnconditionalUpdate: true,
      nameValidator: defaults.nameValidator,
      returnDeletedObject: false,
      ...input.behaviour,
    },
    table: input.table ?? defaults.table,
    fieldSelectors: input.fieldSelectors ?? {},
    storagePrefix: input.storagePrefix ?? `/${group || 'core'}/${input.plural}/`,
    storageApiVersion: input.storageApiVersion ?? apiVersionOf(group, input.version),
  };
}

/** "deployments.apps" / "pods": how messages name a resource. */
export function groupResource(def: Pick<ResourceDef, 'group' | 'plural'>): { group: string; resource: string } {
  return { group: def.group, resource: def.plural };
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
