// Booleans in query strings, read as Kubernetes reads them. Clients spell them many ways: kubectl
// and client-go send `true`, the Python client `True`, others `1`. Two rules exist upstream:
//
// - Options structs (ListOptions' watch, allowWatchBookmarks and sendInitialEvents, DeleteOptions'
//   orphanDependents, PatchOptions' force, PodLogOptions' follow, previous, timestamps, PodExec-
//   and PodAttachOptions' stdin, stdout, stderr, tty, ...) are filled from the query by
//   apimachinery's url.Values conversion: "0" and "false" in any case are false, every other value,
//   the empty one and "yes" included, is true. Nothing is refused. The kubelet reads its
//   /containerLogs query the same way.
// - A few plain flags (`pretty`) go through Go's strconv.ParseBool, and a value it refuses counts
//   as false.
//
// Pure.

/**
 * Go's strconv.ParseBool: `1 t T TRUE true True` and `0 f F FALSE false False`; undefined for
 * anything else (Go's "invalid syntax").
 */
export function parseBool(s: string): boolean | undefined {
  switch (s) {
    case '1': case 't': case 'T': case 'true': case 'TRUE': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'false': case 'FALSE': case 'False':
      return false;
    default:
      return undefined;
  }
}

/**
 * One value of a boolean option as apimachinery converts it: false only for "0" and for "false"
 * in any case.
 */
export function optionBool(value: string): boolean {
  return value !== '0' && value.toLowerCase() !== 'false';
}

/**
 * A boolean option from a query: undefined when absent (a `*bool` left nil), else its first
 * value as `optionBool` reads it.
 */
export function queryOption(q: URLSearchParams, key: string): boolean | undefined {
  const v = q.get(key);
  return v === null ? undefined : optionBool(v);
}

/** A boolean option from a query, false when absent. */
export function queryFlag(q: URLSearchParams, key: string): boolean {
  return queryOption(q, key) ?? false;
}
