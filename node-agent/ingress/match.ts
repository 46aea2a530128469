// The Ingress spec's matching rules as pure functions: hosts (exact, or `*.` plus exactly one
// label) and paths (Exact: the whole path; Prefix: element-wise on `/`, trailing slash ignored).
// ImplementationSpecific is Prefix here, and the docs say so: the same path never means two
// things depending on an annotation (ingress-nginx's regex annotations do that).

export type PathKind = 'Exact' | 'Prefix';

/** What a rule's pathType means here. */
export function pathKind(pathType: string | undefined): PathKind {
  return pathType === 'Exact' ? 'Exact' : 'Prefix';
}

/** A Prefix path without its trailing slashes ("/" becomes ""), the form prefixMatches takes. */
export function prefixKey(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47 /* / */) end--;
  return path.slice(0, end);
}

/** Whether a request path is under a Prefix rule (given as prefixKey): `/foo` covers `/foo`, `/foo/`, `/foo/bar`, not `/foobar`. */
export function prefixMatches(key: string, requestPath: string): boolean {
  if (key === '') return true;
  if (!requestPath.startsWith(key)) return false;
  return requestPath.length === key.length || requestPath.charCodeAt(key.length) === 47;
}

/** Whether a Host (lowercased, without port) matches a rule's host: exact, or `*.x` for one more label. */
export function hostMatches(ruleHost: string, host: string): boolean {
  if (!ruleHost.startsWith('*.')) return ruleHost === host;
  const suffix = ruleHost.slice(1);
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, host.length - suffix.length);
  return label.length > 0 && !label.includes('.');
}

/** The wildcard rule host that could cover `host` (`a.b.c` → `*.b.c`), or undefined for a single label. */
export function wildcardFor(host: string): string | undefined {
  const dot = host.indexOf('.');
  return dot > 0 ? `*${host.slice(dot)}` : undefined;
}

/** The Host header's name: lowercased, without the port, without a trailing dot (IPv6 literals keep their brackets). */
export function hostName(header: string | undefined): string {
  if (!header) return '';
  let h = header.toLowerCase();
  if (h.startsWith('[')) {
    const close = h.indexOf(']');
    return close > 0 ? h.slice(0, close + 1) : h;
  }
  const colon = h.lastIndexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** The path of a request target, without the query. */
export function requestPath(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
