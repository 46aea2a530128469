import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { missingPackages, requiredPackages } from './packages.js';

describe('missingPackages', () => {
  it('asks for nothing when every package is present', () => {
    const all = new Set(requiredPackages.map((p) => p.anyOf[0]));
    assert.deepEqual(missingPackages((p) => all.has(p)), []);
  });
  it('names the packages whose files are absent', () => {
    assert.deepEqual(missingPackages((p) => p !== '/usr/sbin/conntrack' && p !== '/sbin/conntrack'), ['conntrack']);
    assert.equal(missingPackages(() => false).length, requiredPackages.length);
  });
});
