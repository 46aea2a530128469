import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IPAllocator } from './ip-allocator.js';

test('a range above 128.0.0.0 holds its own addresses, not the network or broadcast ones', () => {
  const a = new IPAllocator('192.168.7.0/30');
  assert.equal(a.contains('192.168.7.1'), true);
  assert.equal(a.contains('192.168.7.2'), true);
  assert.equal(a.contains('192.168.7.0'), false);
  assert.equal(a.contains('192.168.7.3'), false);
  assert.equal(a.contains('192.168.8.1'), false);
  const got = [a.allocateNext(), a.allocateNext()].sort();
  assert.deepEqual(got, ['192.168.7.1', '192.168.7.2']);
  assert.equal(a.allocateNext(), undefined, 'full');
  a.release('192.168.7.2');
  assert.equal(a.has('192.168.7.2'), false);
  assert.equal(a.allocate('192.168.7.2'), true);
  assert.equal(a.allocate('192.168.7.2'), false, 'taken');
});

test('addresses that are not IPv4 are outside the range and change nothing', () => {
  const a = new IPAllocator('10.43.0.0/16');
  for (const bad of ['fd00::1', 'not-an-ip', '10.43.0.256', '']) {
    assert.equal(a.contains(bad), false, bad);
    assert.equal(a.has(bad), false, bad);
    assert.equal(a.allocate(bad), false, bad);
    a.release(bad);
  }
  assert.equal(a.allocate('10.43.0.10'), true);
  assert.equal(a.has('10.43.0.10'), true);
});
