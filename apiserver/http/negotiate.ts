// Content negotiation: which representation the client accepts (JSON, YAML, Table,
// PartialObjectMetadata), and which body formats it sends.
import { notAcceptable } from '../api/errors.js';

export type OutputKind = 'object' | 'table' | 'partial' | 'partialList';

export interface Output {
  kind: OutputKind;
  /** Serialization of the response body. */
  encoding: 'json' | 'yaml';
  /** The Content-Type to answer with. */
  contentType: string;
  /** meta.k8s.io version for Table / PartialObjectMetadata. */
  metaVersion: 'v1' | 'v1beta1';
}

interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  return header.split(',').map((part) => {
    const [type, ...rawParams] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    const q = params.q !== undefined ? Number(params.q) : 1;
    return { type: type.toLowerCase(), params, q };
  }).filter((m) => m.type).sort((a, b) => b.q - a.q);
}

const plainJson: Output = { kind: 'object', encoding: 'json', contentType: 'application/json', metaVersion: 'v1' };

/**
 * Picks the first acceptable representation. `allowed` lists the meta kinds the endpoint can
 * produce (a Table of a list, PartialObjectMetadataList of a list, ...).
 */
export function negotiateOutput(accept: string | undefined, allowed: readonly OutputKind[]): Output {
  if (!accept) return plainJson;
  const ranges = parseAccept(accept);
  for (const r of ranges) {
    const as = r.params.as;
    if (as) {
      if (r.params.g !== 'meta.k8s.io' || (r.params.v !== 'v1' && r.params.v !== 'v1beta1')) continue;
      const kind: OutputKind | undefined = as === 'Table' ? 'table'
        : as === 'PartialObjectMetadata' ? 'partial'
        : as === 'PartialObjectMetadataList' ? 'partialList' : undefined;
      if (!kind || !allowed.includes(kind)) continue;
      if (r.type !== 'application/json' && r.type !== 'application/yaml') continue;
      const encoding = r.type === 'application/yaml' ? 'yaml' : 'json';
      // Kubernetes names only the media type, as for any object (the kind is in the body); only
      // aggregated discovery spells g, v and as out in its Content-Type.
      return { kind, encoding, metaVersion: r.params.v as 'v1' | 'v1beta1', contentType: r.type };
    }
    if (r.type === 'application/json' || r.type === 'application/*' || r.type === '*/*' || r.type === 'application/json;stream=watch') return plainJson;
    if (r.type === 'application/yaml') return { ...plainJson, encoding: 'yaml', contentType: 'application/yaml' };
  }
  throw notAcceptable('only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
}

/** The body format of a request, from its Content-Type. */
export type InputFormat = 'json' | 'yaml' | 'json-patch' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch' | 'protobuf' | 'unknown';

export function inputFormat(contentType: string | undefined): InputFormat {
  const type = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  switch (type) {
    case 'application/json': case '': return 'json';
    case 'application/yaml': case 'application/x-yaml': case 'text/yaml': return 'yaml';
    case 'application/json-patch+json': return 'json-patch';
    case 'application/merge-patch+json': return 'merge-patch';
    case 'application/strategic-merge-patch+json': return 'strategic-merge-patch';
    case 'application/apply-patch+yaml': case 'application/apply-patch+cbor': return 'apply-patch';
    case 'application/vnd.kubernetes.protobuf': return 'protobuf';
    default: return 'unknown';
  }
}
