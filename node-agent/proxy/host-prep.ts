// What the host's kernel must do for Services to route, set before the first sync:
// - bridged pod-to-pod packets go through iptables (br_netfilter), or a pod's packet to a
//   Service IP whose endpoint sits on the same bridge is never DNATed;
// - 127.0.0.1 may be DNATed (route_localnet), so NodePorts answer on localhost as with
//   kube-proxy; KUBE-FIREWALL closes what this opens.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { logger } from '../../lib/log.js';
import type { Exec } from '../../lib/exec.js';

const log = logger('proxy');

const BRIDGE_NF = '/proc/sys/net/bridge/bridge-nf-call-iptables';
const ROUTE_LOCALNET = '/proc/sys/net/ipv4/conf/all/route_localnet';

async function ensureSysctl(path: string, value: string): Promise<void> {
  const now = (await readFile(path, 'utf8')).trim();
  if (now === value) return;
  await writeFile(path, value);
  log.info({ sysctl: path.slice('/proc/sys/'.length).replaceAll('/', '.'), from: now, to: value }, 'sysctl set');
}

/** Loads br_netfilter if needed and sends bridged packets through iptables; false if it cannot. */
export async function ensureBridgeNetfilter(exec: Exec): Promise<boolean> {
  if (!existsSync(BRIDGE_NF)) await exec('modprobe', ['br_netfilter']).catch(() => undefined);
  if (!existsSync(BRIDGE_NF)) return false;
  await ensureSysctl(BRIDGE_NF, '1');
  return true;
}

/**
 * Loads br_netfilter if needed and sets the sysctls (route_localnet only when NodePorts should
 * answer on 127.0.0.1). Returns whether localhost NodePorts work.
 */
export async function prepareHost(exec: Exec, want = { localhostNodePorts: true }): Promise<{ localhostNodePorts: boolean }> {
  if (!await ensureBridgeNetfilter(exec)) log.warn({}, 'br_netfilter is not available: pods cannot reach Services whose endpoints share their bridge');
  if (!want.localhostNodePorts) return { localhostNodePorts: false };
  try {
    await ensureSysctl(ROUTE_LOCALNET, '1');
    return { localhostNodePorts: true };
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'route_localnet not set: NodePorts do not answer on 127.0.0.1');
    return { localhostNodePorts: false };
  }
}
