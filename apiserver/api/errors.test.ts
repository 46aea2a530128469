import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { path, required } from './field-errors.js';
import { alreadyExists, conflictWithCauses, encodeStatus, invalid, notFound, notFoundPath, success, tooManyRequests, unexpectedError, type Status } from './errors.js';

// Each expected string is written out as Kubernetes' JSON serializer (Go's json.Encoder over
// metav1.Status) writes it: TypeMeta, ListMeta, then status, message, reason, details, code,
// with omitempty fields left out.
describe('Status encoding', () => {
  it('writes an AlreadyExists Status as Kubernetes does, byte for byte', () => {
    assert.equal(encodeStatus(alreadyExists({ group: '', resource: 'configmaps' }, 'cfg').status),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"cfg\\" already exists","reason":"AlreadyExists","details":{"name":"cfg","kind":"configmaps"},"code":409}');
    assert.equal(encodeStatus(alreadyExists({ group: 'apps', resource: 'deployments' }, 'web').status),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \\"web\\" already exists","reason":"AlreadyExists","details":{"name":"web","group":"apps","kind":"deployments"},"code":409}');
  });

  it('writes NotFound, and the unknown path with its empty details', () => {
    assert.equal(encodeStatus(notFound({ group: '', resource: 'pods' }, 'p').status),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"p\\" not found","reason":"NotFound","details":{"name":"p","kind":"pods"},"code":404}');
    assert.equal(encodeStatus(notFoundPath().status),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}');
  });

  it('orders causes and retryAfterSeconds, and leaves empty fields out', () => {
    const inv = invalid({ group: '', kind: 'ConfigMap' }, 'x', [required(path('data'))]);
    const json = encodeStatus(inv.status);
    assert.match(json, /"details":\{"name":"x","kind":"ConfigMap","causes":\[\{"reason":"FieldValueRequired","message":"Required value","field":"data"\}\]\},"code":422\}$/);
    assert.equal(encodeStatus(tooManyRequests('slow down', 3).status),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"slow down","reason":"TooManyRequests","details":{"retryAfterSeconds":3},"code":429}');
    assert.equal(encodeStatus(conflictWithCauses('conflict', [{ field: '.data.a', message: 'conflict with "m"', reason: 'FieldManagerConflict' }]).status),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"conflict","reason":"Conflict","details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \\"m\\"","field":".data.a"}]},"code":409}');
    // No reason: the field is left out, not written empty.
    assert.equal(encodeStatus(unexpectedError('boom').status), '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"boom","code":500}');
  });

  it('reorders a Status built in any order, and writes a delete success without a code, as Kubernetes does', () => {
    const scrambled = { code: 403, details: { kind: 'pods', group: undefined, name: 'p' }, reason: 'Forbidden', message: 'no', status: 'Failure', metadata: {}, apiVersion: 'v1', kind: 'Status' } as unknown as Status;
    assert.equal(encodeStatus(scrambled), '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"no","reason":"Forbidden","details":{"name":"p","kind":"pods"},"code":403}');
    assert.equal(encodeStatus(success({ name: 'cfg', kind: 'configmaps', uid: 'u-1' })),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"cfg","kind":"configmaps","uid":"u-1"}}');
  });

  it('escapes <, > and & as Go does', () => {
    const s = notFound({ group: '', resource: 'configmaps' }, 'a<b>&c').status;
    assert.equal(encodeStatus(s),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"a\\u003cb\\u003e\\u0026c\\" not found","reason":"NotFound","details":{"name":"a\\u003cb\\u003e\\u0026c","kind":"configmaps"},"code":404}');
    assert.deepEqual(JSON.parse(encodeStatus(s)), JSON.parse(JSON.stringify(s)));
  });
});
