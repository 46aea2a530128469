// The node agent's HTTPS API, path by path, as the kubelet lays it out. Pure: a path in, a route
// out; the handlers live beside it.

export type AgentRoute =
  | { kind: 'healthz' }
  | { kind: 'pods' }
  | { kind: 'statsSummary' }
  | { kind: 'metricsResource' }
  | { kind: 'metricsCadvisor' }
  | { kind: 'metrics' }
  | { kind: 'metricsProbes' }
  | { kind: 'nodeLogs'; path: string }
  | { kind: 'containerLogs'; namespace: string; pod: string; container: string }
  | { kind: 'exec' | 'attach'; namespace: string; pod: string; uid?: string; container: string }
  | { kind: 'portForward'; namespace: string; pod: string; uid?: string };

/** What a route is called in authorization terms (the kubelet's nodes/<subresource>). */
export function subresourceOf(route: AgentRoute | undefined): string {
  switch (route?.kind) {
    case 'healthz': return 'healthz';
    case 'statsSummary': return 'stats';
    case 'metricsResource': case 'metricsCadvisor': case 'metrics': case 'metricsProbes': return 'metrics';
    case 'nodeLogs': return 'log';
    default: return 'proxy';
  }
}

export function matchRoute(pathname: string): AgentRoute | undefined {
  if (pathname === '/healthz') return { kind: 'healthz' };
  if (pathname === '/pods' || pathname === '/pods/') return { kind: 'pods' };
  if (pathname === '/stats/summary' || pathname === '/stats/summary/') return { kind: 'statsSummary' };
  if (pathname === '/metrics/resource') return { kind: 'metricsResource' };
  if (pathname === '/metrics/cadvisor') return { kind: 'metricsCadvisor' };
  if (pathname === '/metrics') return { kind: 'metrics' };
  if (pathname === '/metrics/probes') return { kind: 'metricsProbes' };
  if (pathname === '/logs' || pathname.startsWith('/logs/')) return { kind: 'nodeLogs', path: pathname.slice('/logs'.length) || '/' };
  let parts: string[];
  try {
    parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const [head, ...rest] = parts;
  switch (head) {
    case 'containerLogs':
      if (rest.length !== 3) return undefined;
      return { kind: 'containerLogs', namespace: rest[0], pod: rest[1], container: rest[2] };
    case 'exec':
    case 'attach':
      // /exec/{namespace}/{pod}/{container} or /exec/{namespace}/{pod}/{uid}/{container}
      if (rest.length === 3) return { kind: head, namespace: rest[0], pod: rest[1], container: rest[2] };
      if (rest.length === 4) return { kind: head, namespace: rest[0], pod: rest[1], uid: rest[2], container: rest[3] };
      return undefined;
    case 'portForward':
      if (rest.length === 2) return { kind: 'portForward', namespace: rest[0], pod: rest[1] };
      if (rest.length === 3) return { kind: 'portForward', namespace: rest[0], pod: rest[1], uid: rest[2] };
      return undefined;
    default:
      return undefined;
  }
}
