// csi-driver-nfs' parameters and volume IDs, as pure functions: StorageClass parameters (server,
// share, subDir with ${pvc.metadata.name}-style templates, mountPermissions, onDelete) → the
// volume; the volume ↔ its ID `server#share#subDir#uuid#onDelete`; volume context → the mount
// source and options. Parameter names are matched case-insensitively, as upstream does.
import { posix } from 'node:path';
import { CsiError } from '../errors.js';

export const NFS_DRIVER_NAME = 'nfs.csi.k8s.io';

export type OnDelete = 'delete' | 'retain' | 'archive';
const ON_DELETE: readonly string[] = ['', 'delete', 'retain', 'archive'];

/** What external-provisioner adds with --extra-create-metadata, which the subDir templates read. */
export const PVC_NAME_KEY = 'csi.storage.k8s.io/pvc/name';
export const PVC_NAMESPACE_KEY = 'csi.storage.k8s.io/pvc/namespace';
export const PV_NAME_KEY = 'csi.storage.k8s.io/pv/name';

export interface NfsVolume {
  server: string;
  /** The export, e.g. /srv/nfs. */
  baseDir: string;
  /** The volume's directory inside the export. */
  subDir: string;
  /** The CreateVolume name when subDir came from a template (it names the working mount). */
  uuid: string;
  onDelete: OnDelete;
}

function invalid(message: string): CsiError {
  return new CsiError('INVALID_ARGUMENT', message);
}

/** No `..` segment (backslashes count as separators, as upstream checks). */
export function checkPath(what: string, path: string): void {
  if (path.replace(/\\/g, '/').split('/').includes('..')) throw invalid(`invalid ${what} "${path}": path contains directory traversal sequence`);
}

/** Octal permissions as csi-driver-nfs reads them; 0 means "leave the mode alone". */
export function parseMountPermissions(v: string, where = ''): number {
  if (!/^[0-7]{1,4}$/.test(v)) throw invalid(`invalid mountPermissions ${v}${where}`);
  return parseInt(v, 8);
}

function parseOnDelete(v: string): OnDelete {
  const lower = v.toLowerCase();
  if (!ON_DELETE.includes(lower)) throw invalid(`invalid value ${v} for OnDelete, supported values are [ ${ON_DELETE.slice(1).join(' ')}]`);
  return (lower || 'delete') as OnDelete;
}

export interface CreateParams {
  volume: NfsVolume;
  /** 0: no chmod. */
  mountPermissions: number;
}

/** CreateVolume's parameters → the volume it makes. Unknown parameters are refused. */
export function parseCreateParameters(name: string, params: Record<string, string>, defaultOnDelete: OnDelete = 'delete'): CreateParams {
  if (!name) throw invalid('CreateVolume name must be provided');
  let server = '';
  let baseDir = '';
  let subDirTemplate = '';
  let onDelete = '';
  let mountPermissions = 0;
  const templates: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    switch (k.toLowerCase()) {
      case 'server': server = v; break;
      case 'share': baseDir = v; break;
      case 'subdir': subDirTemplate = v; break;
      case 'ondelete': onDelete = v; break;
      case 'mountpermissions': mountPermissions = parseMountPermissions(v, ' in storage class'); break;
      case PVC_NAME_KEY: templates['${pvc.metadata.name}'] = v; break;
      case PVC_NAMESPACE_KEY: templates['${pvc.metadata.namespace}'] = v; break;
      case PV_NAME_KEY: templates['${pv.metadata.name}'] = v; break;
      default: throw invalid(`invalid parameter "${k}" in storage class`);
    }
  }
  if (!server) throw invalid('server is a required parameter');
  checkPath('share', baseDir);
  const subDir = subDirTemplate ? expandTemplates(subDirTemplate, templates) : name;
  checkPath('subDir', subDir);
  if (!subDir.replace(/\//g, '')) throw invalid(`invalid subDir "${subDirTemplate}": it names the export itself`);
  const volume: NfsVolume = { server, baseDir, subDir, uuid: subDirTemplate ? name : '', onDelete: defaultOnDelete };
  if (onDelete) volume.onDelete = parseOnDelete(onDelete);
  return { volume, mountPermissions };
}

/** Replaces each `${...}` key with its value; unknown keys stay as they are (as upstream). */
export function expandTemplates(s: string, values: Record<string, string>): string {
  let out = s;
  for (const [k, v] of Object.entries(values)) out = out.split(k).join(v);
  return out;
}

const trimSlashes = (s: string): string => s.replace(/^\/+|\/+$/g, '');

/** `server#share#subDir#uuid[#onDelete]`: onDelete only when it is not the default. */
export function volumeIdOf(v: NfsVolume): string {
  const parts = [trimSlashes(v.server), trimSlashes(v.baseDir), trimSlashes(v.subDir), v.uuid];
  if (v.onDelete !== 'delete') parts.push(v.onDelete);
  return parts.join('#');
}

/** Reads an ID of either form csi-driver-nfs ever wrote (`#`-separated, or `server/share/subdir`). */
export function volumeFromId(id: string, defaultOnDelete: OnDelete = 'delete'): NfsVolume {
  if (!id) throw invalid('volume id is empty');
  const seg = id.split('#');
  let v: NfsVolume;
  if (seg.length < 3) {
    const m = /^([^/]+)\/(.*)\/([^/]+)$/.exec(id);
    if (!m) throw invalid(`could not split ${id} into server, baseDir and subDir with separator(/)`);
    v = { server: m[1], baseDir: m[2], subDir: m[3], uuid: '', onDelete: defaultOnDelete };
  } else {
    v = { server: seg[0], baseDir: seg[1], subDir: seg[2], uuid: seg[3] ?? '', onDelete: seg[4] ? parseOnDelete(seg[4]) : defaultOnDelete };
  }
  checkPath('subDir', v.subDir);
  checkPath('baseDir', v.baseDir);
  checkPath('uuid', v.uuid);
  return v;
}

/** Where the controller mounts the export for a volume, inside its working directory. */
export function workingMountPath(workingDir: string, v: NfsVolume): string {
  const p = posix.join(workingDir, v.uuid || v.subDir);
  if (!posix.relative(workingDir, p) || posix.relative(workingDir, p).startsWith('..')) throw invalid(`resolved path "${p}" escapes base directory "${workingDir}"`);
  return p;
}

/** `server:/share` as mount(8) wants it (IPv6 servers in brackets). */
export function exportSource(server: string, share: string): string {
  const host = server.includes(':') && !server.startsWith('[') ? `[${server}]` : server;
  return `${host}:${'/' + trimSlashes(share)}`;
}

export interface PublishSource {
  /** `server:/share[/subDir]` */
  source: string;
  mountOptions: string[];
  mountPermissions: number;
}

/**
 * NodePublishVolume's volume context (the PV's volumeAttributes, or an inline volume's) plus the
 * capability's mount flags → what to mount. `ro` is added for read-only publishes.
 */
export function publishSource(context: Record<string, string>, mountFlags: readonly string[], readOnly: boolean): PublishSource {
  let server = '';
  let share = '';
  let subDir = '';
  let mountPermissions = 0;
  const options = [...mountFlags];
  const templates: Record<string, string> = {};
  for (const [k, v] of Object.entries(context)) {
    switch (k.toLowerCase()) {
      case 'server': server = v; break;
      case 'share': share = v; break;
      case 'subdir': subDir = v; break;
      case 'mountoptions': options.push(...v.split(',').map((s) => s.trim()).filter(Boolean)); break;
      case 'mountpermissions': mountPermissions = parseMountPermissions(v); break;
      case PVC_NAME_KEY: templates['${pvc.metadata.name}'] = v; break;
      case PVC_NAMESPACE_KEY: templates['${pvc.metadata.namespace}'] = v; break;
      case PV_NAME_KEY: templates['${pv.metadata.name}'] = v; break;
    }
  }
  if (!server) throw invalid('server is a required parameter');
  if (!share) throw invalid('share is a required parameter');
  checkPath('share', share);
  let path = '/' + trimSlashes(share);
  if (subDir) {
    const expanded = expandTemplates(subDir, templates);
    checkPath('subDir', expanded);
    path = posix.join(path, expanded);
  }
  if (readOnly && !options.includes('ro')) options.push('ro');
  return { source: exportSource(server, path), mountOptions: [...new Set(options)], mountPermissions };
}
