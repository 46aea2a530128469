// Names in proxy and connect URLs: "name", "name:port" or "scheme:name:port"
// (apimachinery's SplitSchemeNamePort), and the path that follows ".../proxy". Pure.

export interface SchemeNamePort {
  scheme: '' | 'http' | 'https';
  name: string;
  port: string;
}

export function splitSchemeNamePort(id: string): SchemeNamePort | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name = '';
  let port = '';
  if (parts.length === 1) [name] = parts;
  else if (parts.length === 2) [name, port] = parts;
  else if (parts.length === 3) [scheme, name, port] = parts;
  else return undefined;
  if (!name || (scheme !== '' && scheme !== 'http' && scheme !== 'https')) return undefined;
  return { scheme: scheme as SchemeNamePort['scheme'], name, port };
}

/** The part of a request path after the `proxy` subresource segment, as sent (still escaped). */
export function proxyPath(pathname: string): string {
  const m = /^\/api(?:s\/[^/]+)?\/[^/]+\/(?:namespaces\/[^/]+\/)?[^/]+\/[^/]+\/proxy(\/.*)?$/.exec(pathname);
  return m?.[1] ?? '';
}
