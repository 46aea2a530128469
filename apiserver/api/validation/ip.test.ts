import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCIDR, isStrictSubnet } from './ip.js';

test('CIDRs parse as Go does: leading zeros in IPv4, prefix within the family', () => {
  assert.equal(isCIDR('010.0.0.0/8'), true);
  assert.equal(isCIDR('10.0.0.0/33'), false);
  assert.equal(isCIDR('fd00::/128'), true);
  assert.equal(isCIDR('fd00::/129'), false);
  assert.equal(isCIDR('10.0.0.0'), false);
});

test('a strict subnet: same family, inside the outer network, longer prefix', () => {
  assert.equal(isStrictSubnet('10.0.0.0/8', '10.1.0.0/16'), true);
  // The outer address's host bits do not matter, as for Go's ParseCIDR.
  assert.equal(isStrictSubnet('10.9.9.9/8', '10.1.0.0/16'), true);
  assert.equal(isStrictSubnet('10.0.0.0/8', '11.0.0.0/16'), false);
  assert.equal(isStrictSubnet('10.0.0.0/8', '10.0.0.0/8'), false);
  assert.equal(isStrictSubnet('10.0.0.0/16', '10.0.0.0/8'), false);
  assert.equal(isStrictSubnet('10.0.0.0/9', '10.128.0.0/16'), false);
  assert.equal(isStrictSubnet('0.0.0.0/0', '192.168.1.0/24'), true);
  assert.equal(isStrictSubnet('fd00::/64', 'fd00::ff00/120'), true);
  assert.equal(isStrictSubnet('fd00::/64', 'fd00:0:0:1::/80'), false);
  assert.equal(isStrictSubnet('fd00::/8', '10.0.0.0/16'), false);
  assert.equal(isStrictSubnet('0.0.0.0/0', '::/64'), false);
});
