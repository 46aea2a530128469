// Protobuf request bodies as the HTTP layer sees them: decoded to JSON, or refused with the
// 400 BadRequest the Kubernetes API server sends for a body it cannot decode.
import { badRequest } from '../api/errors.js';
import type { Json } from '../api/object.js';
import { builtinSchema } from './builtin-schema.js';
import { decodeKubeProtobuf, ProtobufDecodeError, type GroupVersionKind } from './decode.js';

/** The start of a body for an error message: text if it looks like JSON, else hex. */
function summarize(buf: Buffer, max = 30): string {
  if (buf.length === 0) return '<empty>';
  const head = buf.subarray(0, max);
  const text = buf[0] === 0x7b ? head.toString('utf8') : head.toString('hex');
  return buf.length > max ? `${text} ...` : text;
}

/**
 * Decodes `application/vnd.kubernetes.protobuf`. `expected` is what the endpoint takes; it fills
 * an envelope without apiVersion or kind and names the type in errors.
 */
export function decodeProtobufBody(buf: Buffer, expected?: GroupVersionKind): Record<string, Json> {
  try {
    return decodeKubeProtobuf(buf, builtinSchema(), expected);
  } catch (err) {
    if (!(err instanceof ProtobufDecodeError)) throw err;
    const into = expected?.kind ?? err.gvk?.kind ?? 'Object';
    if (err.gvk?.kind) {
      const version = err.gvk.apiVersion.split('/').pop() ?? '';
      throw badRequest(`${err.gvk.kind} in version "${version}" cannot be handled as a ${into}: ${err.message}`);
    }
    throw badRequest(`the object provided is unrecognized (must be of type ${into}): ${err.message} (${summarize(buf)})`);
  }
}
