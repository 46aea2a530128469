// One API request for a resource as the HTTP handlers see it: the exchange, what the path asked
// for, and what serves it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServedResource } from '../api/registry.js';
import type { ApiContext } from '../registry/api-context.js';
import type { RequestContext } from '../registry/context.js';
import type { RestStore } from '../registry/rest-store.js';
import type { RestRequest } from '../registry/subresource.js';
import type { Renderer } from './render.js';
import type { ResourceRequest } from './request-info.js';

/** One API request for a resource, resolved. */
export interface ResourceCall {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  info: ResourceRequest;
  served: ServedResource;
  rs: RestStore;
  renderer: Renderer;
  ctx: RequestContext;
  api: ApiContext;
}

/** What the registry is told of a call. */
export function restRequest(call: ResourceCall): RestRequest {
  return { namespace: call.info.namespace, name: call.info.name, ctx: call.ctx, options: call.url.searchParams };
}
