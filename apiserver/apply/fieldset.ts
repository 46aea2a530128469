// Sets of field paths, as server-side apply records who owns what (structured-merge-diff's
// fieldpath.Set). A set is a trie of path elements written the way managedFields' fieldsV1
// writes them: "f:<field>", "k:<json of key fields>" (list item by keys), "v:<json value>"
// (set item), "i:<index>". A node is a member when the path to it is in the set.

export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  static fromPaths(paths: Iterable<readonly string[]>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Parses a fieldsV1 object. */
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    if (typeof v !== 'object' || v === null) return s;
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      if (k === '.') {
        s.member = true;
        continue;
      }
      const c = FieldSet.fromFieldsV1(child);
      if (c.children.size === 0) c.member = true;
      s.children.set(k, c);
    }
    return s;
  }

  /** The fieldsV1 form: leaves are {}, members with children carry ".": {}. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    // Most nodes are leaves, and many have one child: neither needs a sorted copy of its keys.
    if (this.children.size === 0) return out;
    if (this.member) out['.'] = {};
    const keys = this.children.size === 1 ? this.children.keys() : [...this.children.keys()].sort();
    for (const k of keys) out[k] = this.children.get(k)!.toFieldsV1();
    return out;
  }

  insert(path: readonly string[]): void {
    let n: FieldSet = this;
    for (const pe of path) {
      let c = n.children.get(pe);
      if (!c) n.children.set(pe, (c = new FieldSet()));
      n = c;
    }
    n.member = true;
  }

  has(path: readonly string[]): boolean {
    const n = this.node(path);
    return !!n && n.member;
  }

  /** Whether the set has `path` or anything below it. */
  hasPrefix(path: readonly string[]): boolean {
    const n = this.node(path);
    return !!n && !n.isEmpty();
  }

  node(path: readonly string[]): FieldSet | undefined {
    let n: FieldSet | undefined = this;
    for (const pe of path) {
      n = n.children.get(pe);
      if (!n) return undefined;
    }
    return n;
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** Every member path, depth first, children in sorted order. */
  *paths(prefix: string[] = []): Generator<string[]> {
    if (this.member) yield [...prefix];
    for (const k of [...this.children.keys()].sort()) yield* this.children.get(k)!.paths([...prefix, k]);
  }

  // The set operations walk both tries together (they run on every write, so no path lists).
  // Results never keep a node that leads to no member, as sets built from paths do not.

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    out.mergeFrom(other);
    return out;
  }

  /** The members of this set that `other` lacks. */
  difference(other: FieldSet): FieldSet {
    return combine(this, other, (mine, theirs) => mine && !theirs, true);
  }

  intersection(other: FieldSet): FieldSet {
    return combine(this, other, (mine, theirs) => mine && theirs, false);
  }

  /** Whether both sets have the same members. */
  equals(other: FieldSet): boolean {
    if (this.member !== other.member) return false;
    const mine = [...this.children].filter(([, c]) => !c.isEmpty());
    const theirs = [...other.children].filter(([, c]) => !c.isEmpty());
    if (mine.length !== theirs.length) return false;
    return mine.every(([k, c]) => {
      const o = other.children.get(k);
      return !!o && c.equals(o);
    });
  }

  /** The members whose paths `keep` accepts (`keep` sees a path it must not hold on to). */
  filter(keep: (path: readonly string[]) => boolean): FieldSet {
    const path: string[] = [];
    const walk = (n: FieldSet): FieldSet => {
      const out = new FieldSet();
      out.member = n.member && keep(path);
      for (const [k, c] of n.children) {
        path.push(k);
        const kept = walk(c);
        path.pop();
        if (kept.hasMembers()) out.children.set(k, kept);
      }
      return out;
    };
    return walk(this);
  }

  private mergeFrom(other: FieldSet): void {
    if (other.member) this.member = true;
    for (const [k, c] of other.children) {
      const mine = this.children.get(k);
      if (mine) {
        mine.mergeFrom(c);
        continue;
      }
      const copy = c.clone();
      if (copy.hasMembers()) this.children.set(k, copy);
    }
  }

  /**
   * Whether a set built by the walks here has members: they never keep a node that leads to
   * none, so this need not look further down as isEmpty() must.
   */
  hasMembers(): boolean {
    return this.member || this.children.size > 0;
  }

  /** Drops the members under any of `prefixes` (e.g. fields a subresource does not own). */
  without(prefixes: readonly (readonly string[])[]): FieldSet {
    return FieldSet.fromPaths([...this.paths()].filter((p) => !prefixes.some((x) => x.every((pe, i) => p[i] === pe))));
  }

  /** Keeps only the members under one of `prefixes`. */
  within(prefixes: readonly (readonly string[])[]): FieldSet {
    return FieldSet.fromPaths([...this.paths()].filter((p) => prefixes.some((x) => x.every((pe, i) => p[i] === pe))));
  }

  clone(): FieldSet {
    return this.filter(() => true);
  }
}

/**
 * The members of `a` chosen by `pick(inA, inB)`. A subtree of `a` with no counterpart in `b` is
 * kept whole when `keepUnmatched` (difference) or dropped (intersection).
 */
function combine(a: FieldSet, b: FieldSet | undefined, pick: (mine: boolean, theirs: boolean) => boolean, keepUnmatched: boolean): FieldSet {
  if (!b) return keepUnmatched ? a.clone() : new FieldSet();
  const out = new FieldSet();
  out.member = pick(a.member, b.member);
  for (const [k, c] of a.children) {
    const sub = combine(c, b.children.get(k), pick, keepUnmatched);
    if (sub.hasMembers()) out.children.set(k, sub);
  }
  return out;
}

/** A path as Kubernetes prints it in conflicts: .spec.containers[name="c"].image */
export function pathString(path: readonly string[]): string {
  return path.map(elementString).join('');
}

function elementString(pe: string): string {
  const kind = pe.slice(0, 2);
  const rest = pe.slice(2);
  if (kind === 'f:') return `.${rest}`;
  if (kind === 'i:') return `[${rest}]`;
  if (kind === 'v:') return `[=${rest}]`;
  if (kind === 'k:') {
    const keys = JSON.parse(rest) as Record<string, unknown>;
    return `[${Object.keys(keys).sort().map((k) => `${k}=${JSON.stringify(keys[k])}`).join(',')}]`;
  }
  return pe;
}

export const field = (name: string) => `f:${name}`;

/** The path element of a list item keyed by `keys` (sorted, as Kubernetes serializes them). */
export function keyElement(item: Record<string, unknown>, keys: readonly string[]): string {
  const k: Record<string, unknown> = {};
  for (const name of [...keys].sort()) if (item[name] !== undefined) k[name] = item[name];
  return `k:${JSON.stringify(k)}`;
}

export const valueElement = (v: unknown) => `v:${JSON.stringify(v)}`;
