// How a failed connection to a node agent or pod reads in Kubernetes' messages (Go's net
// errors: "dial tcp 10.0.0.5:10250: connect: connection refused"). Pure.

const byCode: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ETIMEDOUT: 'i/o timeout',
  ECONNRESET: 'read: connection reset by peer',
};

export function dialErrorText(err: unknown, hostPort: string): string {
  const code = (err as { code?: string }).code ?? '';
  const text = byCode[code];
  if (text) return `dial tcp ${hostPort}: ${text}`;
  if (code === 'ENOTFOUND') return `dial tcp: lookup ${hostPort.replace(/:\d+$/, '')}: no such host`;
  return err instanceof Error ? err.message : String(err);
}

/** host:port of a URL, with the scheme's default port when none is written. */
export function hostPortOf(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}
