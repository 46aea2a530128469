// Objects seen through their schema the way server-side apply sees them: every node is a
// scalar, a struct, a map, or a list (atomic, a set, or keyed by fields), and values that are
// not described are "deduced" (objects granular, lists atomic). On that view: the set of fields
// a value sets, how two values differ, merging an applied configuration into a live object,
// and removing fields.
import { deepEqual, isPlainObject } from '../api/object.js';
import { listKind, resolve, type Definitions, type ListKind, type Schema } from '../api/schema/schema.js';
import { FieldSet, field, keyElement, valueElement } from './fieldset.js';

type Json = Record<string, unknown>;

type Node =
  | { kind: 'scalar' }
  | { kind: 'atomic' }
  /** A struct has named fields; a map has one schema for every entry. */
  | { kind: 'struct'; field: (name: string) => Schema | undefined }
  | { kind: 'map'; elem: Schema | undefined }
  | { kind: 'list'; list: ListKind; item: Schema | undefined };

export class TypedView {
  constructor(private readonly defs: Definitions) {}

  private node(schema: Schema | undefined, value: unknown): Node {
    const s = resolve(schema, this.defs);
    // A struct's node depends on its schema alone: made once per schema, not on every visit.
    const known = s && structNodes.get(s);
    if (known) return known;
    if (!s || (s['x-kubernetes-preserve-unknown-fields'] && !s.properties && !s.items)) {
      if (Array.isArray(value)) return { kind: 'atomic' };
      if (isPlainObject(value)) return { kind: 'map', elem: undefined };
      return { kind: 'scalar' };
    }
    if (s['x-kubernetes-int-or-string'] || (s.type && s.type !== 'object' && s.type !== 'array')) return { kind: 'scalar' };
    if (s.type === 'array' || s.items) {
      const list = listKind(s);
      return list.type === 'atomic' ? { kind: 'atomic' } : { kind: 'list', list, item: s.items };
    }
    if (s['x-kubernetes-map-type'] === 'atomic') return { kind: 'atomic' };
    if (s.properties) {
      const props = s.properties;
      const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
      const n: Node = { kind: 'struct', field: (name) => props[name] ?? extra };
      structNodes.set(s, n);
      return n;
    }
    if (typeof s.additionalProperties === 'object') return { kind: 'map', elem: s.additionalProperties };
    if (isPlainObject(value)) return { kind: 'map', elem: undefined };
    if (Array.isArray(value)) return { kind: 'atomic' };
    return { kind: 'scalar' };
  }

  /** The path element of each item of a granular list, in order. */
  private itemElements(list: ListKind, items: unknown[]): string[] {
    if (list.type === 'map') return items.map((it) => keyElement(isPlainObject(it) ? it : {}, list.keys));
    return items.map(valueElement);
  }

  /** The fields `value` sets (structured-merge-diff's ToFieldSet). */
  toFieldSet(value: unknown, schema: Schema | undefined, ignore: (path: readonly string[]) => boolean = () => false): FieldSet {
    const set = new FieldSet();
    const walk = (v: unknown, s: Schema | undefined, path: string[]): void => {
      if (ignore(path)) return;
      const n = this.node(s, v);
      if (n.kind === 'scalar' || n.kind === 'atomic') {
        set.insert(path);
        return;
      }
      if (n.kind === 'list') {
        if (!Array.isArray(v)) return set.insert(path);
        const pes = this.itemElements(n.list, v);
        v.forEach((item, i) => {
          walk(item, n.item, [...path, pes[i]]);
          set.insert([...path, pes[i]]);
        });
        return;
      }
      if (!isPlainObject(v)) {
        set.insert(path);
        return;
      }
      for (const [k, child] of Object.entries(v)) {
        const childSchema = n.kind === 'struct' ? n.field(k) : n.elem;
        const p = [...path, field(k)];
        walk(child, childSchema, p);
        if (ignore(p)) continue;
        if (child === null || (isPlainObject(child) && Object.keys(child).length === 0) || n.kind === 'map') set.insert(p);
      }
    };
    walk(value, schema, []);
    return set;
  }

  /**
   * The fields a new object sets: what compare({}, value) reports as added, in one walk that
   * skips the comparing (every create computes it for its managedFields).
   */
  added(value: unknown, schema: Schema | undefined, ignore: (path: readonly string[]) => boolean = () => false): FieldSet {
    const set = new FieldSet();
    // One path, grown and shrunk as the walk goes: neither the set nor `ignore` keeps it.
    const path: string[] = [];
    const walk = (v: unknown, s: Schema | undefined, structField: boolean): void => {
      if (ignore(path)) return;
      const n = this.node(s, v);
      if (n.kind === 'scalar' || n.kind === 'atomic' || (n.kind === 'list' && isEmptyList(v)) || (n.kind !== 'list' && isEmptyMap(v))) {
        set.insert(path);
        return;
      }
      if (n.kind === 'list') {
        const items = Array.isArray(v) ? v : [];
        const pes = this.itemElements(n.list, items);
        // Items with the same key count once, the last one's value (as compare's map of them).
        const byElement = new Map(pes.map((pe, i) => [pe, items[i]]));
        for (const [pe, item] of byElement) {
          path.push(pe);
          walk(item, n.item, false);
          path.pop();
        }
      } else if (isPlainObject(v)) {
        for (const k of Object.keys(v)) {
          path.push(field(k));
          walk(v[k], n.kind === 'struct' ? n.field(k) : n.elem, n.kind === 'struct');
          path.pop();
        }
      }
      if (path.length > 0 && v !== undefined && (!structField || n.kind !== 'struct')) set.insert(path);
    };
    if (isPlainObject(value) && Object.keys(value).length === 0) return set;
    walk(value, schema, false);
    return set;
  }

  /**
   * How `rhs` differs from `lhs`: leaves (and wholly added or removed entries) by path. Paths
   * `ignore` accepts are left out with everything below them.
   */
  compare(lhs: unknown, rhs: unknown, schema: Schema | undefined, ignore: (path: readonly string[]) => boolean = () => false): { added: FieldSet; modified: FieldSet; removed: FieldSet } {
    const added = new FieldSet();
    const modified = new FieldSet();
    const removed = new FieldSet();
    const walk = (l: unknown, r: unknown, s: Schema | undefined, path: string[], structField: boolean): void => {
      if (ignore(path)) return;
      // Most of an updated object is what it was: equal subtrees hold no change to record.
      if (l !== undefined && r !== undefined && deepEqual(l, r)) return;
      const n = this.node(s, r ?? l);
      const leaf = n.kind === 'scalar' || n.kind === 'atomic'
        || (n.kind === 'list' && isEmptyList(l) && isEmptyList(r))
        || ((n.kind === 'map' || n.kind === 'struct') && isEmptyMap(l) && isEmptyMap(r));
      if (leaf) {
        if (l === undefined) added.insert(path);
        else if (r === undefined) removed.insert(path);
        else modified.insert(path);
        return;
      }
      if (n.kind === 'list') {
        const ll = Array.isArray(l) ? l : [];
        const rl = Array.isArray(r) ? r : [];
        const lpes = this.itemElements(n.list, ll);
        const rpes = this.itemElements(n.list, rl);
        const lm = new Map(lpes.map((pe, i) => [pe, ll[i]]));
        const rm = new Map(rpes.map((pe, i) => [pe, rl[i]]));
        for (const pe of [...new Set([...lpes, ...rpes])]) walk(lm.get(pe), rm.get(pe), n.item, [...path, pe], false);
      } else if (n.kind === 'struct' || n.kind === 'map') {
        const lo = isPlainObject(l) ? l : {};
        const ro = isPlainObject(r) ? r : {};
        for (const k of new Set([...Object.keys(lo), ...Object.keys(ro)])) {
          const cs = n.kind === 'struct' ? n.field(k) : n.elem;
          walk(lo[k], ro[k], cs, [...path, field(k)], n.kind === 'struct');
        }
      }
      // A struct-valued field that appears or goes away is not itself a field someone sets
      // (Kubernetes' Go structs are always present); a map, a list, a map entry or list item is.
      if (path.length > 0 && (!structField || n.kind !== 'struct')) {
        if (l === undefined && r !== undefined) added.insert(path);
        else if (r === undefined && l !== undefined) removed.insert(path);
      }
    };
    walk(lhs, rhs, schema, [], false);
    return { added, modified, removed };
  }

  /** Merges an applied configuration into a live value: configured fields win, lists merge by their keys. */
  merge(live: unknown, config: unknown, schema: Schema | undefined): unknown {
    if (config === undefined) return live;
    if (live === undefined) return config;
    const n = this.node(schema, config);
    if (n.kind === 'scalar' || n.kind === 'atomic') return config;
    if (n.kind === 'list') {
      if (!Array.isArray(live) || !Array.isArray(config)) return config;
      const lpes = this.itemElements(n.list, live);
      const cpes = this.itemElements(n.list, config);
      const lm = new Map(lpes.map((pe, i) => [pe, live[i]]));
      const cm = new Map(cpes.map((pe, i) => [pe, config[i]]));
      // structured-merge-diff's order: live items stay in place, configured ones follow the
      // configuration's order among the items both have.
      const out: unknown[] = [];
      const sharedOrder = cpes.filter((pe) => lm.has(pe));
      let nextShared = sharedOrder.shift();
      const merged = new Set<string>();
      let li = 0;
      let ri = 0;
      while (li < lpes.length || ri < cpes.length) {
        if (li < lpes.length && ri < cpes.length) {
          const pe = lpes[li];
          if (pe === cpes[ri]) {
            merged.add(pe);
            out.push(this.merge(lm.get(pe), cm.get(pe), n.item));
            li++;
            ri++;
            nextShared = sharedOrder.shift();
            continue;
          }
          if (cm.has(pe) && nextShared !== undefined && nextShared !== pe) {
            li++;
            continue;
          }
        }
        if (li < lpes.length) {
          const pe = lpes[li];
          if (!cm.has(pe)) {
            out.push(live[li]);
            li++;
            continue;
          } else if (merged.has(pe)) {
            li++;
          }
        }
        if (ri < cpes.length) {
          const pe = cpes[ri];
          merged.add(pe);
          out.push(this.merge(lm.get(pe), cm.get(pe), n.item));
          ri++;
          if (nextShared === pe) nextShared = sharedOrder.shift();
        }
      }
      return out;
    }
    if (!isPlainObject(live) || !isPlainObject(config)) return config;
    const out: Json = { ...live };
    for (const [k, v] of Object.entries(config)) {
      const cs = n.kind === 'struct' ? n.field(k) : n.elem;
      out[k] = this.merge(live[k], v, cs);
    }
    return out;
  }

  /** Removes the fields at `paths` (struct fields, map entries, list items) from a copy of `value`. */
  remove(value: unknown, paths: readonly (readonly string[])[], schema: Schema | undefined): unknown {
    const out = structuredClone(value);
    for (const p of paths) this.removeOne(out, p, schema);
    return out;
  }

  private removeOne(value: unknown, path: readonly string[], schema: Schema | undefined): void {
    if (path.length === 0) return;
    const n = this.node(schema, value);
    const [pe, ...rest] = path;
    if (Array.isArray(value) && n.kind === 'list') {
      const pes = this.itemElements(n.list, value);
      const i = pes.indexOf(pe);
      if (i < 0) return;
      if (rest.length === 0) value.splice(i, 1);
      else this.removeOne(value[i], rest, n.item);
      return;
    }
    if (!isPlainObject(value) || !pe.startsWith('f:')) return;
    const k = pe.slice(2);
    if (!(k in value)) return;
    if (rest.length === 0) delete value[k];
    else this.removeOne(value[k], rest, n.kind === 'struct' ? n.field(k) : n.kind === 'map' ? n.elem : undefined);
  }
}

const structNodes = new WeakMap<Schema, Node>();

const isEmptyList = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
const isEmptyMap = (v: unknown) => v === undefined || v === null || (isPlainObject(v) && Object.keys(v).length === 0);
