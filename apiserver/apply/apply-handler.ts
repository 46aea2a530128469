// Server-side apply (application/apply-patch+yaml). Placeholder until field ownership lands.
import { unsupportedMediaTypeOf } from '../api/errors.js';
import type { ResourceCall } from '../http/api-context.js';

export async function applyObject(call: ResourceCall): Promise<void> {
  void call;
  throw unsupportedMediaTypeOf(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
}
