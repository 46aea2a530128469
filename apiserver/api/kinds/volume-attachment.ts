// VolumeAttachments: an attacher, a node and exactly one source; the spec never changes.
import { forbiddenField, invalidEach, invalidValue, path, required, type FieldError } from '../field-errors.js';
import { deepEqual, type KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { isDNS1123Subdomain } from '../validation/names.js';
import { validateCSIDriverName } from './csi.js';

interface AttachmentSpec {
  attacher?: string;
  nodeName?: string;
  source?: { persistentVolumeName?: string | null; inlineVolumeSpec?: unknown };
}

type VolumeAttachment = KubeObject & { spec?: AttachmentSpec; status?: { attached?: boolean } };

function validateAttachment(va: VolumeAttachment): FieldError[] {
  const spec = va.spec ?? {};
  const sp = path('spec');
  const errs: FieldError[] = [];
  if (!spec.attacher) errs.push(required(sp.child('attacher')));
  const src = spec.source ?? {};
  const hasPV = src.persistentVolumeName != null;
  const hasInline = src.inlineVolumeSpec != null;
  const why = 'must specify exactly one of inlineVolumeSpec and persistentVolumeName';
  if (!hasPV && !hasInline) errs.push(required(sp.child('source'), why));
  else if (hasPV && hasInline) errs.push(forbiddenField(sp.child('source'), why));
  else if (hasPV && !src.persistentVolumeName) errs.push(required(sp.child('source', 'persistentVolumeName'), 'must specify non empty persistentVolumeName'));
  errs.push(...invalidEach(sp.child('nodeName'), spec.nodeName ?? '', isDNS1123Subdomain(spec.nodeName ?? '')));
  // The v1 API also checks the attacher as a CSI driver name and the PV name.
  if (spec.attacher) errs.push(...validateCSIDriverName(spec.attacher, path('spec.attacher')));
  if (src.persistentVolumeName) errs.push(...invalidEach(path('spec.source.persistentVolumeName'), src.persistentVolumeName, isDNS1123Subdomain(src.persistentVolumeName)));
  return errs;
}

export const volumeAttachmentStrategy: Strategy = {
  prepareForCreate(obj) {
    (obj as VolumeAttachment).status = { attached: false };
  },
  validate: (obj) => validateAttachment(obj as VolumeAttachment),
  validateUpdate(obj, old) {
    const errs = validateAttachment(obj as VolumeAttachment);
    if (!deepEqual((obj as VolumeAttachment).spec ?? {}, (old as VolumeAttachment).spec ?? {})) {
      errs.push(invalidValue(path('spec'), null, 'field is immutable'));
    }
    return errs;
  },
};

export const volumeAttachmentTable: TableDef = {
  columns: [
    { ...col('Attacher', 'attacher indicates the name of the volume driver that MUST handle this request.'), format: 'name' },
    col('PV', 'persistentVolumeName represents the name of the persistent volume to attach.'),
    col('Node', 'nodeName represents the node that the volume should be attached to.'),
    col('Attached', 'attached indicates the volume is successfully attached.', 0, 'boolean'),
    ageColumn,
  ],
  cells(o, now) {
    const va = o as VolumeAttachment;
    return [va.spec?.attacher ?? '', va.spec?.source?.persistentVolumeName ?? '', va.spec?.nodeName ?? '', va.status?.attached ?? false, age(o, now)];
  },
};
