import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CriError, isCriError, isNotFound, isUnimplemented, toCriError } from './errors.js';

test('gRPC NOT_FOUND becomes code NotFound with the runtime details', () => {
  const e = toCriError('RuntimeService/ContainerStatus', {
    code: 5,
    details: 'an error occurred when try to find container "x": not found',
    message: '5 NOT_FOUND: an error occurred ...',
  });
  assert.equal(e.code, 'NotFound');
  assert.equal(e.method, 'RuntimeService/ContainerStatus');
  assert.match(e.details, /^an error occurred/);
  assert.ok(isNotFound(e));
});

test('every non-OK gRPC status has a name', () => {
  const names = new Set<string>();
  for (let c = 1; c <= 16; c++) names.add(toCriError('m', { code: c }).code);
  assert.equal(names.size, 16);
  assert.equal(toCriError('m', { code: 12 }).code, 'Unimplemented');
  assert.ok(isUnimplemented(toCriError('m', { code: 12 })));
  assert.equal(toCriError('m', { code: 14 }).code, 'Unavailable');
  assert.equal(toCriError('m', { code: 4 }).code, 'DeadlineExceeded');
});

test('non-gRPC errors and unknown codes become Unknown', () => {
  assert.equal(toCriError('m', new Error('boom')).code, 'Unknown');
  assert.equal(toCriError('m', new Error('boom')).details, 'boom');
  assert.equal(toCriError('m', { code: 99 }).code, 'Unknown');
  assert.equal(toCriError('m', 'text').details, 'text');
});

test('a CriError passes through unchanged', () => {
  const e = new CriError('Aborted', 'm', 'x');
  assert.equal(toCriError('other', e), e);
  assert.ok(isCriError(e, 'Aborted'));
  assert.ok(!isCriError(e, 'NotFound'));
  assert.ok(!isCriError(new Error('x')));
});
