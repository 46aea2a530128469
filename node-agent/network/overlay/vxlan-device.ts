// flannel.1: the VXLAN device (VNI 1, UDP 8472, no learning: the agent programs every FDB and
// neighbour entry) on the uplink, holding the pod CIDR's network address as a /32 (so no subnet
// route or broadcast is made for it). An existing device with the right parameters is kept, MAC
// and all, so peers' entries stay valid across restarts; one with other parameters is replaced.
import { execOk, type Exec } from '../../../lib/exec.js';
import { logger } from '../../../lib/log.js';
import { VXLAN_DEVICE, VXLAN_PORT, VXLAN_VNI } from './flannel-node.js';
import type { Uplink } from './uplink.js';

const log = logger('flannel');

interface IpLink {
  address?: string;
  mtu?: number;
  flags?: string[];
  linkinfo?: { info_kind?: string; info_data?: { id?: number; port?: number; local?: string; link?: string; learning?: boolean } };
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

export interface VxlanSpec {
  uplink: Uplink;
  mtu: number;
  /** `<pod CIDR network>/32`. */
  address: string;
  /** MAC for a new device. */
  mac: string;
}

/** Why an existing device cannot be kept (undefined: it can). Pure. */
export function deviceMismatch(link: IpLink, spec: Pick<VxlanSpec, 'uplink'>): string | undefined {
  const d = link.linkinfo?.info_data;
  if (link.linkinfo?.info_kind !== 'vxlan' || !d) return 'not a vxlan device';
  if (d.id !== VXLAN_VNI) return `VNI ${d.id}`;
  if (d.port !== VXLAN_PORT) return `port ${d.port}`;
  if (d.local !== spec.uplink.ip) return `local ${d.local}`;
  if (d.link !== spec.uplink.name) return `device ${d.link}`;
  if (d.learning !== false) return 'learning on';
  return undefined;
}

async function readLink(exec: Exec): Promise<IpLink | undefined> {
  const r = await exec('ip', ['-j', '-d', 'addr', 'show', 'dev', VXLAN_DEVICE]);
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as IpLink[])[0];
}

/** Makes flannel.1 as `spec` says; resolves with its MAC (the VtepMAC peers are told). */
export async function ensureVxlanDevice(exec: Exec, spec: VxlanSpec): Promise<string> {
  let link = await readLink(exec);
  const why = link && deviceMismatch(link, spec);
  if (link && why) {
    log.info({ device: VXLAN_DEVICE, reason: why }, 'replacing vxlan device');
    await execOk(exec, 'ip', ['link', 'del', VXLAN_DEVICE]);
    link = undefined;
  }
  if (!link) {
    await execOk(exec, 'ip', [
      'link', 'add', VXLAN_DEVICE, 'address', spec.mac, 'type', 'vxlan', 'id', String(VXLAN_VNI),
      'dstport', String(VXLAN_PORT), 'local', spec.uplink.ip, 'dev', spec.uplink.name, 'nolearning',
    ]);
    log.info({ device: VXLAN_DEVICE, mac: spec.mac, local: spec.uplink.ip, dev: spec.uplink.name }, 'created vxlan device');
    link = await readLink(exec);
  }
  if (link?.mtu !== spec.mtu) await execOk(exec, 'ip', ['link', 'set', VXLAN_DEVICE, 'mtu', String(spec.mtu)]);
  const [ip, bits] = spec.address.split('/');
  const v4 = (link?.addr_info ?? []).filter((a) => a.family === 'inet');
  for (const a of v4) {
    if (a.local !== ip || String(a.prefixlen) !== bits) await execOk(exec, 'ip', ['addr', 'del', `${a.local}/${a.prefixlen}`, 'dev', VXLAN_DEVICE]);
  }
  if (!v4.some((a) => a.local === ip && String(a.prefixlen) === bits)) await execOk(exec, 'ip', ['addr', 'add', spec.address, 'dev', VXLAN_DEVICE]);
  if (!link?.flags?.includes('UP')) await execOk(exec, 'ip', ['link', 'set', VXLAN_DEVICE, 'up']);
  return (link?.address ?? spec.mac).toLowerCase();
}
