// Events. core/v1 and events.k8s.io/v1 are two views of one stored object (core/v1 shape):
// the events.k8s.io version converts on the way in and out (regarding <-> involvedObject,
// note <-> message, deprecated* <-> the legacy fields). Validation is Kubernetes' lenient
// legacy check for core/v1 writes and the strict one for events.k8s.io.
import { invalidEach, invalidValue, path, required, type FieldError } from '../field-errors.js';
import { deepEqual, isPlainObject, type KubeObject } from '../object.js';
import type { Strategy, VersionDef } from '../resource.js';
import { since, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { isDNS1123Subdomain, isQualifiedName } from '../validation/names.js';
import { fieldImmutable } from './common.js';

interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

interface EventSeries {
  count?: number;
  lastObservedTime?: string | null;
}

/** The stored (core/v1) shape. */
export type CoreEvent = KubeObject & {
  involvedObject?: ObjectReference;
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  count?: number;
  type?: string;
  eventTime?: string | null;
  series?: EventSeries | null;
  action?: string;
  related?: ObjectReference | null;
  reportingComponent?: string;
  reportingInstance?: string;
};

const reportingInstanceLimit = 128;
const actionLimit = 128;
const reasonLimit = 128;
const noteLimit = 1024;

/** legacyValidateEvent: what every Event must satisfy, whichever API wrote it. */
function legacyValidate(e: CoreEvent): FieldError[] {
  const errs: FieldError[] = [];
  const ns = e.metadata.namespace ?? '';
  const involvedNs = e.involvedObject?.namespace ?? '';
  const mismatch = () => invalidValue(path('involvedObject', 'namespace'), involvedNs, 'does not match event.namespace');
  if (!e.eventTime) {
    // Events about cluster-scoped objects live in "default" (or nowhere).
    if (!involvedNs) {
      if (ns !== '' && ns !== 'default') errs.push(mismatch());
    } else if (ns !== involvedNs) {
      errs.push(mismatch());
    }
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch());
    const controller = e.reportingComponent ?? '';
    if (!controller) errs.push(required(path('reportingController')));
    errs.push(...invalidEach(path('reportingController'), controller, isQualifiedName(controller)));
    const instance = e.reportingInstance ?? '';
    if (!instance) errs.push(required(path('reportingInstance')));
    if (instance.length > reportingInstanceLimit) errs.push(invalidValue(path('reportingInstance'), '', `can have at most ${reportingInstanceLimit} characters`));
    if (!e.action) errs.push(required(path('action')));
    if ((e.action ?? '').length > actionLimit) errs.push(invalidValue(path('action'), '', `can have at most ${actionLimit} characters`));
    if (!e.reason) errs.push(required(path('reason')));
    if ((e.reason ?? '').length > reasonLimit) errs.push(invalidValue(path('reason'), '', `can have at most ${reasonLimit} characters`));
    if ((e.message ?? '').length > noteLimit) errs.push(invalidValue(path('message'), '', `can have at most ${noteLimit} characters`));
  }
  errs.push(...invalidEach(path('namespace'), ns, isDNS1123Subdomain(ns)));
  return errs;
}

function validateSeries(e: CoreEvent): FieldError[] {
  if (!e.series) return [];
  const errs: FieldError[] = [];
  if ((e.series.count ?? 0) < 2) errs.push(invalidValue(path('series.count'), '', 'should be at least 2'));
  if (!e.series.lastObservedTime) errs.push(required(path('series.lastObservedTime')));
  return errs;
}

/** The strict checks of events.k8s.io/v1 (ValidateEventCreate beyond the legacy rules). */
function strictValidate(e: CoreEvent): FieldError[] {
  const errs = [...legacyValidate(e), ...validateSeries(e)];
  if (!e.eventTime) errs.push(required(path('eventTime')));
  if (e.type !== 'Normal' && e.type !== 'Warning') errs.push(invalidValue(path('type'), '', `has invalid value: ${e.type ?? ''}`));
  if (e.firstTimestamp) errs.push(invalidValue(path('firstTimestamp'), '', 'needs to be unset'));
  if (e.lastTimestamp) errs.push(invalidValue(path('lastTimestamp'), '', 'needs to be unset'));
  if (e.count) errs.push(invalidValue(path('count'), '', 'needs to be unset'));
  if (e.source?.component || e.source?.host) errs.push(invalidValue(path('source'), '', 'needs to be unset'));
  return errs;
}

const strictImmutableFields: Array<[keyof CoreEvent, string]> = [
  ['involvedObject', 'involvedObject'], ['reason', 'reason'], ['message', 'message'], ['source', 'source'],
  ['firstTimestamp', 'firstTimestamp'], ['lastTimestamp', 'lastTimestamp'], ['count', 'count'], ['type', 'type'],
  ['eventTime', 'eventTime'], ['action', 'action'], ['related', 'related'], ['reportingComponent', 'reportingController'],
  ['reportingInstance', 'reportingInstance'],
];

function strictValidateUpdate(e: CoreEvent, old: CoreEvent): FieldError[] {
  const errs = legacyValidate(e);
  if (!deepEqual(e.series ?? null, old.series ?? null)) errs.push(...validateSeries(e));
  for (const [field, name] of strictImmutableFields) {
    if (!deepEqual(emptyToNull(e[field]), emptyToNull(old[field]))) errs.push(invalidValue(path(name), e[field] ?? '', fieldImmutable));
  }
  return errs;
}

const emptyToNull = (v: unknown) => (v === undefined || v === '' || v === 0 || (isPlainObject(v) && Object.keys(v).length === 0) ? null : v);

/** Fills the fields Go always serializes for a core Event, and drops empty optional ones. */
function canonicalizeEvent(e: CoreEvent): void {
  e.involvedObject ??= {};
  e.source ??= {};
  if (e.firstTimestamp === undefined) e.firstTimestamp = null;
  if (e.lastTimestamp === undefined) e.lastTimestamp = null;
  if (e.eventTime === undefined) e.eventTime = null;
  e.reportingComponent ??= '';
  e.reportingInstance ??= '';
  for (const f of ['message', 'reason', 'type', 'action'] as const) if (e[f] === '') delete e[f];
  if (!e.count) delete e.count;
  if (e.series === null) delete e.series;
  if (e.related === null) delete e.related;
}

export const eventStrategy: Strategy = {
  validate: (obj) => legacyValidate(obj as CoreEvent),
  validateUpdate: (obj) => legacyValidate(obj as CoreEvent),
  canonicalize: (obj) => canonicalizeEvent(obj as CoreEvent),
};

/** Writes through events.k8s.io: same storage, strict validation. */
export const eventsV1Strategy: Strategy = {
  validate: (obj) => strictValidate(obj as CoreEvent),
  validateUpdate: (obj, old) => strictValidateUpdate(obj as CoreEvent, old as CoreEvent),
  canonicalize: (obj) => canonicalizeEvent(obj as CoreEvent),
};

type V1Event = KubeObject & Record<string, unknown>;

/** Copies the fields whose value is set, leaving the others out as Go's omitempty does. */
function assignSet(target: Record<string, unknown>, fields: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '' && v !== 0) target[k] = v;
}

/** events.k8s.io/v1 -> the stored core/v1 shape. */
export function eventToStorage(obj: KubeObject): KubeObject {
  const v = obj as V1Event;
  const out: CoreEvent = { apiVersion: 'v1', kind: 'Event', metadata: v.metadata };
  out.involvedObject = (v.regarding as ObjectReference | undefined) ?? {};
  assignSet(out, { reason: v.reason, message: v.note });
  out.source = (v.deprecatedSource as CoreEvent['source']) ?? {};
  out.firstTimestamp = (v.deprecatedFirstTimestamp as string | undefined) ?? null;
  out.lastTimestamp = (v.deprecatedLastTimestamp as string | undefined) ?? null;
  assignSet(out, { count: v.deprecatedCount, type: v.type });
  out.eventTime = (v.eventTime as string | undefined) ?? null;
  assignSet(out, { series: v.series ?? undefined, action: v.action, related: v.related ?? undefined });
  out.reportingComponent = (v.reportingController as string | undefined) ?? '';
  out.reportingInstance = (v.reportingInstance as string | undefined) ?? '';
  return out;
}

/** The stored core/v1 shape -> events.k8s.io/v1. */
export function eventFromStorage(obj: KubeObject): KubeObject {
  const e = obj as CoreEvent;
  const out: V1Event = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: e.metadata };
  out.eventTime = e.eventTime ?? null;
  assignSet(out, {
    series: e.series ?? undefined, reportingController: e.reportingComponent, reportingInstance: e.reportingInstance,
    action: e.action, reason: e.reason,
  });
  out.regarding = e.involvedObject ?? {};
  assignSet(out, { related: e.related ?? undefined, note: e.message, type: e.type });
  out.deprecatedSource = e.source ?? {};
  out.deprecatedFirstTimestamp = e.firstTimestamp ?? null;
  out.deprecatedLastTimestamp = e.lastTimestamp ?? null;
  assignSet(out, { deprecatedCount: e.count });
  return out;
}

export const eventsV1Version: VersionDef = { name: 'v1', toStorage: eventToStorage, fromStorage: eventFromStorage };

/** "kubelet, node-1": the source, or the reporting controller and instance of new events. */
function eventSource(e: CoreEvent): string {
  const component = e.source?.component || e.reportingComponent || '';
  const host = e.source?.host || e.reportingInstance || '';
  return host ? `${component}, ${host}` : component;
}

/** LAST SEEN TYPE REASON OBJECT MESSAGE; wide adds SUBOBJECT SOURCE FIRST SEEN COUNT NAME. */
export const eventTable: TableDef = {
  nameFirst: false,
  columns: [
    col('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    col('Object', 'The object that this event is about.'),
    col('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', 1),
    col('Source', 'The component reporting this event. Should be a short machine understandable string.', 1),
    col('Message', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
    col('Count', 'The number of times this event has occurred.', 1),
    { name: 'Name', type: 'string', format: 'name', priority: 1, description: 'Name must be unique within a namespace. Cannot be updated.' },
  ],
  cells(o, now) {
    const e = o as CoreEvent;
    const first = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
    let last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
    let count = e.count ?? 0;
    if (e.series) {
      last = since(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (count === 0) {
      // Singleton events of the new API carry no count.
      count = 1;
    }
    const kind = (e.involvedObject?.kind ?? '').toLowerCase();
    const target = e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
    return [
      last, e.type ?? '', e.reason ?? '', target, e.involvedObject?.fieldPath ?? '', eventSource(e),
      (e.message ?? '').trim(), first, count, o.metadata.name ?? '',
    ];
  },
};

