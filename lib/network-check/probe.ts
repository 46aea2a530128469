// What the check's client pods run and print, and how their output is read back. A client pod
// on each node fetches a small and a large file from the server pod of every node by pod IP,
// the Service by its ClusterIP, and resolves the Service's name through cluster DNS; one line
// per probe. busybox's sh, wget, nslookup and timeout are all it needs.

/** The file the server pods serve bigger than one packet: it fails where only the MTU is wrong. */
export const BIG_FILE_BYTES = 4000;
export const SERVER_PORT = 8080;

export interface ProbeTarget {
  node: string;
  ip: string;
}

export interface PodProbe {
  node: string;
  small: boolean;
  big: boolean;
}

export interface ClientResult {
  pods: PodProbe[];
  service?: boolean;
  dns?: boolean;
}

/** The server pods' command: httpd serving its hostname and a file of BIG_FILE_BYTES. */
export function serverCommand(): string[] {
  return ['sh', '-c', `mkdir -p /tmp/www && hostname > /tmp/www/index.html && head -c ${BIG_FILE_BYTES} /dev/zero | tr '\\0' x > /tmp/www/big && exec httpd -f -p ${SERVER_PORT} -h /tmp/www`];
}

const safe = (s: string) => /^[A-Za-z0-9._:-]+$/.test(s);

/** The client pods' command. Names and addresses come from the API; they are checked anyway. */
export function clientCommand(targets: ProbeTarget[], serviceIP: string, serviceName: string): string[] {
  for (const v of [...targets.flatMap((t) => [t.node, t.ip]), serviceIP, serviceName]) {
    if (!safe(v)) throw new Error(`unexpected name or address "${v}"`);
  }
  const get = (url: string) => `timeout 5 wget -qO- ${url} >/dev/null 2>&1`;
  const lines = targets.map((t) => {
    const base = `http://${t.ip}:${SERVER_PORT}`;
    return `s=fail; b=fail; ${get(`${base}/index.html`)} && s=ok; ${get(`${base}/big`)} && b=ok; echo "pod ${t.node} $s $b"`;
  });
  lines.push(`r=fail; ${get(`http://${serviceIP}/index.html`)} && r=ok; echo "service $r"`);
  lines.push(`r=fail; timeout 5 nslookup ${serviceName} 2>/dev/null | grep -q ${serviceIP} && r=ok; echo "dns $r"`);
  return ['sh', '-c', lines.join('\n')];
}

/** Reads a client pod's log back into results. */
export function parseClientLog(log: string): ClientResult {
  const result: ClientResult = { pods: [] };
  for (const line of log.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'pod' && f.length === 4) result.pods.push({ node: f[1]!, small: f[2] === 'ok', big: f[3] === 'ok' });
    else if (f[0] === 'service') result.service = f[1] === 'ok';
    else if (f[0] === 'dns') result.dns = f[1] === 'ok';
  }
  return result;
}
