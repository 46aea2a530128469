import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, firstAddress, formatIPv4, parseIPv4 } from './ipv4.js';

test('addresses round-trip through numbers; bad ones are refused', () => {
  assert.equal(formatIPv4(parseIPv4('10.42.255.1')), '10.42.255.1');
  assert.equal(parseIPv4('255.255.255.255'), 2 ** 32 - 1);
  assert.throws(() => parseIPv4('10.42.256.1'), /invalid IPv4 address/);
});

test('cidrContains: the range and nothing beside it', () => {
  assert.ok(cidrContains('198.18.96.0/24', '198.18.96.0'));
  assert.ok(cidrContains('198.18.96.0/24', '198.18.96.255'));
  assert.ok(!cidrContains('198.18.96.0/24', '198.18.97.1'));
  assert.ok(cidrContains('10.42.0.0/16', '10.42.200.7'));
  assert.ok(!cidrContains('10.42.0.0/16', '10.43.0.1'));
  assert.ok(cidrContains('0.0.0.0/0', '255.1.2.3'));
  assert.ok(cidrContains('192.168.1.5/32', '192.168.1.5') && !cidrContains('192.168.1.5/32', '192.168.1.6'));
});

test('firstAddress: the network address plus one, wherever the CIDR was written from', () => {
  assert.equal(firstAddress('10.43.0.0/16'), '10.43.0.1');
  assert.equal(firstAddress('10.43.7.9/16'), '10.43.0.1');
  assert.equal(firstAddress('192.168.255.0/23'), '192.168.254.1');
});
