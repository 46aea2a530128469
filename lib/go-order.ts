// Orderings as Go's standard library has them, for output that must match Kubernetes':
// strings compare by code unit (byte order for the ASCII names Kubernetes sorts), never by
// locale, and maps marshal with their keys sorted.

/** Go's `a < b` for strings, as a sort comparator. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted and undefined members left out, as Go marshals maps. */
export function sortedJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJSON).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => compareStrings(a, b));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${sortedJSON(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
