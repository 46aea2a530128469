// JSON as Go's encoding/json writes a map[string]interface{}: keys sorted at every level. Used
// where Kubernetes shows or stores such an encoding (a patched object in an error, kubectl's
// last-applied annotation).
export function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${goJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
