import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './api-error.js';
import { FakeClock, settle } from './clock.js';
import { LeaderElector, type LeaseLock } from './leader-election.js';
import type { Lease } from './types.js';

/** One Lease in memory with optimistic concurrency, as the API server keeps it. */
class MemoryLease implements LeaseLock {
  lease?: Lease;
  private rv = 0;
  /** While set, every call fails (a partitioned candidate). */
  partitioned = new Set<string>();
  constructor(private readonly who = '') {}

  view(who: string): LeaseLock {
    return {
      get: async () => this.check(who, () => (this.lease ? structuredClone(this.lease) : undefined)),
      create: async (l) => this.check(who, () => {
        if (this.lease) throw new ApiError({ kind: 'Status', code: 409, reason: 'AlreadyExists' }, 'POST', '/');
        this.lease = { ...l, metadata: { ...l.metadata, resourceVersion: String(++this.rv) } };
        return structuredClone(this.lease);
      }),
      update: async (l) => this.check(who, () => {
        if (l.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) {
          throw new ApiError({ kind: 'Status', code: 409, reason: 'Conflict' }, 'PUT', '/');
        }
        this.lease = { ...l, metadata: { ...l.metadata, resourceVersion: String(++this.rv) } };
        return structuredClone(this.lease);
      }),
      describe: () => 'kube-system/test',
    };
  }

  get(): Promise<Lease | undefined> { return this.view(this.who).get(); }
  create(l: Lease): Promise<Lease> { return this.view(this.who).create(l); }
  update(l: Lease): Promise<Lease> { return this.view(this.who).update(l); }
  describe(): string { return 'kube-system/test'; }

  private check<T>(who: string, fn: () => T): T {
    if (this.partitioned.has(who)) throw new Error('connection refused');
    return fn();
  }
}

function candidate(store: MemoryLease, clock: FakeClock, identity: string, log: string[], releaseOnCancel = true) {
  return new LeaderElector({
    lock: store.view(identity), identity, clock, releaseOnCancel,
    onStartedLeading: () => log.push(`${identity} leads`),
    onStoppedLeading: () => log.push(`${identity} stops`),
  });
}

test('only one of two candidates leads, and it keeps renewing', async () => {
  const clock = new FakeClock();
  const store = new MemoryLease();
  const log: string[] = [];
  const a = candidate(store, clock, 'a', log);
  const b = candidate(store, clock, 'b', log);
  const ac = new AbortController();
  const runs = [a.run(ac.signal)];
  await settle();
  runs.push(b.run(ac.signal));
  await clock.advance(60_000);
  assert.deepEqual(log, ['a leads']);
  assert.equal(store.lease?.spec?.holderIdentity, 'a');
  assert.equal(store.lease?.spec?.leaseDurationSeconds, 15);
  assert.ok(Date.parse(store.lease!.spec!.renewTime!) >= clock.now() - 2_000, 'renewed every retry period');
  assert.equal(a.isLeader(), true);
  assert.equal(b.isLeader(), false);
  ac.abort();
  await Promise.all(runs);
});

test('a leader that cannot renew steps down and the other takes over after the lease duration', async () => {
  const clock = new FakeClock();
  const store = new MemoryLease();
  const log: string[] = [];
  const acA = new AbortController();
  const acB = new AbortController();
  const runA = candidate(store, clock, 'a', log).run(acA.signal);
  await settle();
  const runB = candidate(store, clock, 'b', log).run(acB.signal);
  await clock.advance(5_000);
  store.partitioned.add('a');
  const cut = clock.now();
  await clock.advance(10_000);
  assert.ok(log.includes('a stops'), 'a gave up after the renew deadline');
  assert.ok(!log.includes('b leads'), 'b waits until the lease expires on its own clock');
  // b saw a's last renewal (t <= 5 s) up to one jittered retry (<= 4.4 s) later; the lease then
  // lasts 15 s on b's clock, and b notices at its next retry: by t = 28 s at the latest.
  await clock.advance(15_000);
  assert.deepEqual(log, ['a leads', 'a stops', 'b leads']);
  assert.equal(store.lease?.spec?.holderIdentity, 'b');
  assert.equal(store.lease?.spec?.leaseTransitions, 1);
  assert.ok(clock.now() - cut >= 15_000);
  acA.abort();
  acB.abort();
  await Promise.all([runA, runB]);
});

test('a clean stop releases the lease so the next candidate takes it at once', async () => {
  const clock = new FakeClock();
  const store = new MemoryLease();
  const log: string[] = [];
  const acA = new AbortController();
  const acB = new AbortController();
  const runA = candidate(store, clock, 'a', log).run(acA.signal);
  await settle();
  const runB = candidate(store, clock, 'b', log).run(acB.signal);
  await clock.advance(4_000);
  acA.abort();
  await runA;
  assert.equal(store.lease?.spec?.holderIdentity, undefined);
  await clock.advance(5_000);
  assert.deepEqual(log, ['a leads', 'a stops', 'b leads']);
  acB.abort();
  await runB;
});

test('durations must leave room to renew', () => {
  const store = new MemoryLease();
  assert.throws(() => new LeaderElector({ lock: store, identity: 'x', leaseDurationMs: 10_000, renewDeadlineMs: 10_000, onStartedLeading: () => {} }));
});
