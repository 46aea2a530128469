// Values Kubernetes refuses while decoding a request body (before defaulting or validation),
// reported as its decoder reports them: a 400 naming the kind and version.
import { badRequest } from '../errors.js';
import type { KubeObject } from '../object.js';
import { QuantityError } from '../../../lib/quantity.js';

/** Runs defaulting; a malformed quantity becomes "<Kind> in version "v1" cannot be handled as a <Kind>: ...". */
export function withDecodeErrors(obj: KubeObject, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof QuantityError)) throw err;
    const kind = obj.kind ?? '';
    const version = (obj.apiVersion ?? '').split('/').pop() ?? '';
    throw badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${err.message}`);
  }
}
