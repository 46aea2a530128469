// Every Status an API client receives is built here: reason, code and wording as Kubernetes
// sends them, so kubectl prints what users expect.
import { aggregate, type FieldError } from './field-errors.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never> | { resourceVersion?: string; continue?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  override readonly name = 'StatusError';
  constructor(readonly status: Status) {
    // An API error is an answer, not a bug: skip the stack trace, which dominates its cost.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(status.message ?? status.reason ?? 'error');
    Error.stackTraceLimit = limit;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string | undefined {
    return this.status.reason;
  }
}

/** Names a resource the way Kubernetes messages do: "pods" or "deployments.apps". */
export interface GroupResource {
  group: string;
  resource: string;
}

/** Names a kind the way Invalid messages do: "Pod" or "Deployment.apps". */
export interface GroupKind {
  group: string;
  kind: string;
}

const qualified = (gr: GroupResource) => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);

function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  if (!reason) delete status.reason;
  return new StatusError(status);
}

function details(gr: GroupResource, name: string): StatusDetails {
  const d: StatusDetails = { name };
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  return d;
}

export function notFound(gr: GroupResource, name: string): StatusError {
  return failure(404, 'NotFound', `${qualified(gr)} "${name}" not found`, details(gr, name));
}

export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return failure(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, details(gr, name));
}

export function conflict(gr: GroupResource, name: string, why: string): StatusError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, details(gr, name));
}

/** 409 with the fields in conflict as causes (server-side apply). */
export function conflictWithCauses(message: string, causes: StatusCause[]): StatusError {
  return failure(409, 'Conflict', message, { causes });
}

export const modifiedConflictMessage =
  'the object has been modified; please apply your changes to the latest version and try again';

export function invalid(gk: GroupKind, name: string, errs: readonly FieldError[]): StatusError {
  const kind = gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
  const agg = aggregate(errs);
  const message = agg ? `${kind} "${name}" is invalid: ${agg}` : `${kind} "${name}" is invalid`;
  const d: StatusDetails = { name };
  if (gk.group) d.group = gk.group;
  d.kind = gk.kind;
  d.causes = errs.map((e) => ({ reason: e.type, message: e.body, field: e.field }));
  return failure(422, 'Invalid', message, d);
}

export function badRequest(message: string): StatusError {
  return failure(400, 'BadRequest', message);
}

export function forbidden(gr: GroupResource, name: string, why: string): StatusError {
  const what = name ? `${qualified(gr)} "${name}"` : qualified(gr);
  return failure(403, 'Forbidden', `${what} is forbidden: ${why}`, details(gr, name));
}

export function unauthorized(message = 'Unauthorized'): StatusError {
  return failure(401, 'Unauthorized', message);
}

export function methodNotSupported(gr: GroupResource, action: string): StatusError {
  return failure(405, 'MethodNotAllowed', `${action} is not supported on resources of kind "${qualified(gr)}"`, {
    ...(gr.group ? { group: gr.group } : {}), kind: gr.resource,
  });
}

export function gone(message: string): StatusError {
  return failure(410, 'Expired', message);
}

/** 410 for a watch or list from a resourceVersion history no longer holds. */
export function resourceExpired(message: string): StatusError {
  return failure(410, 'Expired', message);
}

export function notAcceptable(message: string): StatusError {
  return failure(406, 'NotAcceptable', message);
}

export function unsupportedMediaType(contentType: string): StatusError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`, {
    causes: [{ reason: 'UnexpectedServerResponse', message: contentType }],
  });
}

/** 415 for a body whose media type the endpoint does not take (e.g. a PATCH type): names the accepted ones. */
export function unsupportedMediaTypeOf(accepted: readonly string[]): StatusError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

export function requestEntityTooLarge(message: string): StatusError {
  return failure(413, 'RequestEntityTooLarge', message);
}

export function tooManyRequests(message: string, retryAfterSeconds = 1): StatusError {
  return failure(429, 'TooManyRequests', message, { retryAfterSeconds });
}

export function internalError(err: unknown): StatusError {
  const why = err instanceof Error ? err.message : String(err);
  return failure(500, 'InternalError', `Internal error occurred: ${why}`, { causes: [{ message: why }] });
}

/** An error REST code raised without a Status: 500 with no reason, as Kubernetes reports those. */
export function unexpectedError(message: string): StatusError {
  return failure(500, '', message);
}

export function serviceUnavailable(message: string): StatusError {
  return failure(503, 'ServiceUnavailable', message);
}

/** What Kubernetes makes of an upstream's (kubelet's) error answer that is not a Status. */
export function genericServerResponse(code: number, verb: string, gr: GroupResource, name: string, serverMessage: string): StatusError {
  const known: Record<number, [string, string]> = {
    400: ['BadRequest', 'the server rejected our request for an unknown reason'],
    401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
    403: ['Forbidden', serverMessage],
    404: ['NotFound', 'the server could not find the requested resource'],
    405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
    409: [verb === 'POST' ? 'AlreadyExists' : 'Conflict', 'the server reported a conflict'],
    422: ['Invalid', 'the server rejected our request due to an error in our request'],
    429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
    504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
  };
  let [reason, message] = known[code] ?? ['', `the server responded with the status code ${code} but did not return more information`];
  if (!known[code] && code >= 500) {
    reason = 'InternalError';
    message = `an error on the server (${JSON.stringify(serverMessage)}) has prevented the request from succeeding`;
  }
  if (gr.resource) message = `${message} (${verb.toLowerCase()} ${qualified(gr)}${name ? ` ${name}` : ''})`;
  const d: StatusDetails = { name };
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  return failure(code, reason, message, d);
}

export function notFoundPath(): StatusError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

/**
 * The Status of a done operation. Its code is 0, unset: Kubernetes' registry returns a delete's
 * Status without one (the answer is 200 and the body has no `code`); a create sets it (201).
 */
export function success(d?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 0 };
  if (d) s.details = d;
  return s;
}

/**
 * A Status with its fields in the order of Kubernetes' Go struct (kind, apiVersion, metadata,
 * status, message, reason, details, code; details: name, group, kind, uid, causes,
 * retryAfterSeconds; a cause: reason, message, field), the empty ones left out as `omitempty`
 * does. metadata is a struct, so it is always written; details is a pointer, so `{}` stays.
 * Some clients compare error text byte for byte (the Python client's create_from_yaml).
 */
function statusInGoOrder(s: Status): Status {
  const out: Record<string, unknown> = {};
  if (s.kind) out.kind = s.kind;
  if (s.apiVersion) out.apiVersion = s.apiVersion;
  const m = (s.metadata ?? {}) as { selfLink?: string; resourceVersion?: string; continue?: string; remainingItemCount?: number };
  const meta: Record<string, unknown> = {};
  if (m.selfLink) meta.selfLink = m.selfLink;
  if (m.resourceVersion) meta.resourceVersion = m.resourceVersion;
  if (m.continue) meta.continue = m.continue;
  if (m.remainingItemCount !== undefined && m.remainingItemCount !== null) meta.remainingItemCount = m.remainingItemCount;
  out.metadata = meta;
  if (s.status) out.status = s.status;
  if (s.message) out.message = s.message;
  if (s.reason) out.reason = s.reason;
  if (s.details) {
    const d = s.details;
    const details: StatusDetails = {};
    if (d.name) details.name = d.name;
    if (d.group) details.group = d.group;
    if (d.kind) details.kind = d.kind;
    if (d.uid) details.uid = d.uid;
    if (d.causes?.length) {
      details.causes = d.causes.map((c) => {
        const cause: StatusCause = {};
        if (c.reason) cause.reason = c.reason;
        if (c.message) cause.message = c.message;
        if (c.field) cause.field = c.field;
        return cause;
      });
    }
    if (d.retryAfterSeconds) details.retryAfterSeconds = d.retryAfterSeconds;
    out.details = details;
  }
  if (s.code) out.code = s.code;
  return out as unknown as Status;
}

const goEscapes: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * A Status as Kubernetes' JSON serializer writes it: Go's field order, and Go's escaping of
 * <, > and & (and U+2028, U+2029) in strings. No trailing newline: the caller frames it (a
 * response body ends with one, a watch event line has its own).
 */
export function encodeStatus(s: Status): string {
  return JSON.stringify(statusInGoOrder(s)).replace(/[<>&\u2028\u2029]/g, (c) => goEscapes[c]);
}

export function isStatusError(err: unknown, reason?: string): err is StatusError {
  return err instanceof StatusError && (reason === undefined || err.reason === reason);
}
