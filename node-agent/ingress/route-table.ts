// The routes of every Ingress this node serves, merged into one table that a request is looked up
// in: the most specific host group first (exact, then `*.` wildcard, then rules without a host),
// then inside it the longest path, Exact before Prefix on equal length; no match is the oldest
// Ingress's spec.defaultBackend, else none (the caller answers 404). Rebuilt whole on every
// change and swapped in, so the listeners (and their WebSockets) never restart. Pure.
import { sslRedirectAnnotation, tlsSecretNames, type Ingress } from '../../lib/ingress.js';
import { hostMatches, pathKind, prefixKey, prefixMatches, wildcardFor, type PathKind } from './match.js';

/** Where matched traffic goes: a Service port (by number or name) in the Ingress' namespace. */
export interface Backend {
  /** "namespace/name" of the Ingress that routed it (for logs and metrics). */
  ingress: string;
  namespace: string;
  service: string;
  port: { number?: number; name?: string };
  /** The Ingress asked for HTTP → HTTPS (ingress.k8ts.io/ssl-redirect). */
  sslRedirect: boolean;
  /** Set when the backend is a `resource` reference, which this controller cannot serve. */
  unsupported?: string;
}

export interface PathRoute {
  kind: PathKind;
  /** Exact: the path; Prefix: prefixKey(path). */
  key: string;
  /** The path as written, for precedence (its length) and logs. */
  path: string;
  backend: Backend;
}

export interface RouteTable {
  exact: Map<string, PathRoute[]>;
  wildcard: Map<string, PathRoute[]>;
  anyHost: PathRoute[];
  defaultBackend?: Backend;
  /** TLS host (exact or `*.`) → "namespace/secret". */
  tls: Map<string, string>;
}

export const emptyRoutes = (): RouteTable => ({ exact: new Map(), wildcard: new Map(), anyHost: [], tls: new Map() });

type ServiceBackend = NonNullable<NonNullable<Ingress['spec']>['defaultBackend']>;

function backendOf(ing: Ingress, b: ServiceBackend): Backend {
  const namespace = ing.metadata?.namespace ?? 'default';
  const base = { ingress: `${namespace}/${ing.metadata?.name}`, namespace, sslRedirect: ing.metadata?.annotations?.[sslRedirectAnnotation] === 'true' };
  if (!b.service) return { ...base, service: '', port: {}, unsupported: `resource backend ${b.resource?.kind ?? ''}/${b.resource?.name ?? ''}` };
  const port = b.service.port?.name ? { name: b.service.port.name } : { number: b.service.port?.number };
  return { ...base, service: b.service.name, port };
}

/** Oldest first, then by namespace/name: who wins a tie between Ingresses. */
function byAge(a: Ingress, b: Ingress): number {
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const ka = `${a.metadata?.namespace}/${a.metadata?.name}`;
  const kb = `${b.metadata?.namespace}/${b.metadata?.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Longest path first, Exact before Prefix; a stable sort keeps the oldest Ingress first among equals. */
function byPrecedence(a: PathRoute, b: PathRoute): number {
  return b.path.length - a.path.length || (a.kind === b.kind ? 0 : a.kind === 'Exact' ? -1 : 1);
}

/** The table for these Ingresses (already filtered to the ones this controller serves). */
export function buildRoutes(ingresses: readonly Ingress[]): RouteTable {
  const table = emptyRoutes();
  const group = (host: string | undefined): PathRoute[] => {
    if (!host) return table.anyHost;
    const map = host.startsWith('*.') ? table.wildcard : table.exact;
    let list = map.get(host);
    if (!list) map.set(host, (list = []));
    return list;
  };
  for (const ing of [...ingresses].sort(byAge)) {
    const ns = ing.metadata?.namespace ?? 'default';
    if (ing.spec?.defaultBackend && !table.defaultBackend) table.defaultBackend = backendOf(ing, ing.spec.defaultBackend);
    const hosts = new Set<string>();
    for (const rule of ing.spec?.rules ?? []) {
      const host = rule.host?.toLowerCase() || undefined;
      if (host) hosts.add(host);
      const list = group(host);
      for (const p of rule.http?.paths ?? []) {
        const path = p.path || '/';
        const kind = pathKind(p.pathType);
        list.push({ kind, key: kind === 'Exact' ? path : prefixKey(path), path, backend: backendOf(ing, p.backend) });
      }
    }
    for (const t of ing.spec?.tls ?? []) {
      if (!t.secretName) continue;
      const secret = `${ns}/${t.secretName}`;
      // A tls entry without hosts covers the Ingress' own rule hosts.
      for (const h of t.hosts?.length ? t.hosts : [...hosts]) {
        const host = h.toLowerCase();
        if (!table.tls.has(host)) table.tls.set(host, secret);
      }
    }
  }
  for (const list of [table.anyHost, ...table.exact.values(), ...table.wildcard.values()]) list.sort(byPrecedence);
  return table;
}

/** The routes for a host: the most specific group that has any. */
function routesFor(table: RouteTable, host: string): PathRoute[] {
  const exact = table.exact.get(host);
  if (exact) return exact;
  const wild = wildcardFor(host);
  const wildcard = wild ? table.wildcard.get(wild) : undefined;
  return wildcard ?? table.anyHost;
}

export interface RouteMatch {
  backend: Backend;
  /** The rule that matched; undefined when the default backend answered. */
  route?: PathRoute;
}

/** Where a request for `host` (hostName()) and `path` (requestPath()) goes, or undefined (404). */
export function lookup(table: RouteTable, host: string, path: string): RouteMatch | undefined {
  for (const route of routesFor(table, host)) {
    if (route.kind === 'Exact' ? route.key === path : prefixMatches(route.key, path)) return { backend: route.backend, route };
  }
  return table.defaultBackend ? { backend: table.defaultBackend } : undefined;
}

/** The Secret ("namespace/name") for a TLS server name, or undefined (the default certificate). */
export function tlsSecretFor(table: RouteTable, serverName: string): string | undefined {
  const host = serverName.toLowerCase();
  const exact = table.tls.get(host);
  if (exact) return exact;
  for (const [h, secret] of table.tls) if (h.startsWith('*.') && hostMatches(h, host)) return secret;
  return undefined;
}

/** Every Secret the table needs ("namespace/name"). */
export function secretsOf(ingresses: readonly Ingress[]): Set<string> {
  const out = new Set<string>();
  for (const ing of ingresses) for (const n of tlsSecretNames(ing)) out.add(`${ing.metadata?.namespace ?? 'default'}/${n}`);
  return out;
}
