import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Packet } from 'dns-packet';
import { AnswerCache } from './answer-cache.js';

const answer = (ttl: number): Packet => ({ type: 'response', answers: [{ name: 'a.example', type: 'A', ttl, data: '192.0.2.1' }] });
const denial = (soaTTL: number, minimum: number): Packet => ({
  type: 'response', answers: [],
  authorities: [{ name: 'example', type: 'SOA', ttl: soaTTL, data: { mname: 'ns', rname: 'h', serial: 1, refresh: 1, retry: 1, expire: 1, minimum } }],
});

test('answers are kept for their TTL, at most 30 s, and handed out aged', () => {
  let now = 1_000_000;
  const cache = new AnswerCache({ maxTTL: 30, capacity: 10, now: () => now });
  const kept = cache.put('k', answer(300), 'NOERROR');
  assert.equal(kept.answers?.[0].type === 'A' && kept.answers[0].ttl, 30);
  now += 12_500;
  const hit = cache.get('k');
  assert.equal(hit?.kind, 'success');
  assert.equal(hit?.packet.answers?.[0].type === 'A' && hit.packet.answers[0].ttl, 18);
  now += 17_500;
  assert.equal(cache.get('k'), undefined);
  assert.equal(cache.size, 0);
});

test('denials live for the SOA TTL or minimum, whichever is less; errors and TTL 0 are not kept', () => {
  let now = 0;
  const cache = new AnswerCache({ maxTTL: 30, capacity: 10, now: () => now });
  cache.put('nx', denial(60, 5), 'NXDOMAIN');
  cache.put('fail', answer(60), 'SERVFAIL');
  cache.put('zero', answer(0), 'NOERROR');
  assert.equal(cache.get('nx')?.kind, 'denial');
  assert.equal(cache.get('fail'), undefined);
  assert.equal(cache.get('zero'), undefined);
  now += 5_000;
  assert.equal(cache.get('nx'), undefined);
});

test('the oldest entry goes when full; keys ignore case', () => {
  const cache = new AnswerCache({ maxTTL: 30, capacity: 2 });
  for (const k of ['a', 'b', 'c']) cache.put(k, answer(30), 'NOERROR');
  assert.equal(cache.get('a'), undefined);
  assert.ok(cache.get('b') && cache.get('c'));
  assert.equal(AnswerCache.key('WWW.Example.COM.', 'A'), AnswerCache.key('www.example.com', 'A'));
  assert.throws(() => new AnswerCache({ maxTTL: -1, capacity: 1 }), /invalid answer cache options/);
});
