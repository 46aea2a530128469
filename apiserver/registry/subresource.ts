// Subresources served by code of their own (binding, eviction, token, finalize, approval; log,
// exec, attach, portforward, proxy) are REST objects, as in Kubernetes' registry: get, create
// and update take the request, decoded, and return an object; connect serves a stream. None of
// them reads a body or writes a response: http/handlers/subresource.ts decodes the body as the
// subresource's kind and renders what comes back.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Status } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { RequestContext } from './context.js';

/** What the registry is told of a request for a resource or subresource. */
export interface RestRequest {
  namespace: string;
  /** The name from the URL: empty for a create in a collection. */
  name: string;
  ctx: RequestContext;
  /** The query: options such as a log's container and follow, or exec's command. */
  options: URLSearchParams;
}

/** The HTTP exchange a connect subresource takes over: it answers itself, or hands the socket on. */
export interface Connection {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
}

/**
 * What get, create or update answer: a Status (written with its code), an object of the parent
 * resource's kind (rendered as the client negotiated) or another object (written as JSON).
 */
export type SubresourceResult = KubeObject | Status;

/** A custom subresource: what discovery says of it, and the verbs it serves. */
export interface SubresourceDef {
  name: string;
  /** Kind of the subresource's body, for discovery and decoding (e.g. "Binding"). */
  kind: string;
  /** Group and version of that kind; a kind of the parent resource's own has none. */
  group?: string;
  version?: string;
  /** Other apiVersions a body may be sent in (Eviction still takes policy/v1beta1). */
  otherVersions?: string[];
  verbs: string[];
  get?(req: RestRequest): Promise<SubresourceResult>;
  create?(req: RestRequest, body: KubeObject): Promise<SubresourceResult>;
  update?(req: RestRequest, body: KubeObject): Promise<SubresourceResult>;
  /** Serves every verb of a streaming subresource. */
  connect?(req: RestRequest, conn: Connection): Promise<void>;
}
