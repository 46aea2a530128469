// Keeping test traffic on this machine. A packet to a Service IP that no rule catches, or to a
// pod IP whose bridge is gone, follows the default route off the machine. Before a test sends to
// those ranges it drops them on the default route's device, in mangle POSTROUTING (after DNAT,
// so DNATed traffic is judged by where it really goes), and removes the drops afterwards.
import { execOk, hostExec } from '../../lib/exec.js';
import { removeEmptyNftTable, savedTables } from '../../cni/host-cleanup.js';

const COMMENT = 'k8ts e2e: keep test traffic on this machine';

/** The device of the default route. */
export async function defaultRouteDevice(): Promise<string> {
  const out = (await execOk(hostExec, 'ip', ['-4', 'route', 'show', 'default'])).stdout;
  const dev = /\bdev (\S+)/.exec(out)?.[1];
  if (!dev) throw new Error(`no default route device in: ${out}`);
  return dev;
}

/** Installs the drops for `cidrs`; resolves with their removal. */
export async function guardOffHost(cidrs: readonly string[]): Promise<() => Promise<void>> {
  const dev = await defaultRouteDevice();
  const hadMangle = (await savedTables()).has('mangle');
  const rule = (cidr: string) => ['-t', 'mangle', 'POSTROUTING', '-o', dev, '-d', cidr, '-m', 'comment', '--comment', COMMENT, '-j', 'DROP'];
  const added: string[] = [];
  const remove = async (): Promise<void> => {
    for (const cidr of added.splice(0)) {
      const [t, table, chain, ...spec] = rule(cidr);
      await execOk(hostExec, 'iptables', ['-w', '5', t!, table!, '-D', chain!, ...spec]);
    }
    if (!hadMangle) await removeEmptyNftTable('mangle');
  };
  try {
    for (const cidr of cidrs) {
      const [t, table, chain, ...spec] = rule(cidr);
      await execOk(hostExec, 'iptables', ['-w', '5', t!, table!, '-I', chain!, '1', ...spec]);
      added.push(cidr);
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return remove;
}
