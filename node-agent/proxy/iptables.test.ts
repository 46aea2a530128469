import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Exec } from '../../lib/exec.js';
import { isProxyChain, ProxyIptables } from './iptables.js';
import { jumpRules } from './rules.js';

test('reads the nat table\'s chain names from iptables-save', async () => {
  const exec: Exec = async () => ({ code: 0, stderr: '', stdout: '# Generated\n*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]\n-A PREROUTING -j KUBE-SERVICES\nCOMMIT\n' });
  assert.deepEqual(await new ProxyIptables(exec).natChains(), ['PREROUTING', 'KUBE-SERVICES', 'KUBE-SVC-AAAAAAAAAAAAAAAA']);
});

test('prepends only the jumps that are missing, reading each built-in chain once', async () => {
  const calls: string[][] = [];
  const exec: Exec = async (_file, args) => {
    calls.push([...args]);
    // Every jump but the one from nat PREROUTING is there (as iptables -S prints them).
    const chain = args[args.indexOf('-S') + 1];
    const table = args[args.indexOf('-t') + 1];
    const stdout = args.includes('-S') ? jumpRules.filter((j) => j.table === table && j.from === chain && !(j.table === 'nat' && j.from === 'PREROUTING'))
      .map((j) => `-A ${j.from} -m comment --comment "${j.comment}" ${j.extra.join(' ')} -j ${j.to}`.replace('  ', ' ')).join('\n') : '';
    return { code: 0, stdout: `-P ${chain} ACCEPT\n${stdout}\n`, stderr: '' };
  };
  assert.equal(await new ProxyIptables(exec).ensureJumps(), 1);
  assert.equal(calls.filter((c) => c.includes('-S')).length, 6);
  assert.deepEqual(calls.filter((c) => c.includes('-I')), [['-w', '5', '-t', 'nat', '-I', 'PREROUTING', '1', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES']]);
});

test('killall takes the proxy\'s own chains only', () => {
  assert.ok(isProxyChain('nat', 'KUBE-SEP-T3LO3VCUF2JQPG4Q'));
  assert.ok(isProxyChain('filter', 'KUBE-PROXY-CANARY'));
  assert.ok(!isProxyChain('filter', 'KUBE-SEP-T3LO3VCUF2JQPG4Q'));
  assert.ok(!isProxyChain('nat', 'KUBE-KUBELET-CANARY'));
  assert.ok(!isProxyChain('nat', 'CNI-81ea0b36c417d7f905609579'));
});

/**
 * iptables as `-S` lists it: every chain holds the proxy's jumps, and FORWARD what `forward` makes
 * of them; every call is recorded.
 */
function fakeIptables(forward: (ours: string[]) => string[]): { exec: Exec; calls: string[][] } {
  const calls: string[][] = [];
  const exec: Exec = async (_file, args) => {
    calls.push([...args]);
    const chain = args[args.indexOf('-S') + 1];
    if (!args.includes('-S')) return { code: 0, stdout: '', stderr: '' };
    const ours = jumpRules.filter((j) => j.from === chain && j.table === (args[args.indexOf('-t') + 1]))
      .map((j) => `-A ${j.from} -m comment --comment "${j.comment}" ${j.extra.join(' ')} -j ${j.to}`.replace('  ', ' '));
    const rules = chain === 'FORWARD' ? forward(ours) : ours;
    return { code: 0, stdout: `-P ${chain} ACCEPT\n${rules.join('\n')}\n`, stderr: '' };
  };
  return { exec, calls };
}

const netpolHook = '-A FORWARD -m comment --comment "kube-router netpol" -j KUBE-ROUTER-FORWARD';

test('puts its jumps back in front when another tool inserted a rule ahead of them', async () => {
  // FORWARD: the overlay's accept-all jump went in first.
  const { exec, calls } = fakeIptables((ours) => ['-A FORWARD -m comment --comment "k8ts flannel" -j FLANNEL-FWD', ...ours]);
  const forward = jumpRules.filter((j) => j.table === 'filter' && j.from === 'FORWARD');
  assert.equal(await new ProxyIptables(exec).ensureJumps(), forward.length);
  assert.equal(calls.filter((c) => c.includes('-D')).length, forward.length);
  // Inserted last to first at position 1, so they end up in their listed order, ahead of FLANNEL-FWD.
  assert.deepEqual(calls.filter((c) => c.includes('-I')).map((c) => c.at(-1)), forward.map((j) => j.to).reverse());
});

test('leaves the NetworkPolicy hook ahead of its jumps (it only returns or rejects)', async () => {
  const { exec, calls } = fakeIptables((ours) => [netpolHook, ...ours]);
  assert.equal(await new ProxyIptables(exec).ensureJumps(), 0);
  assert.equal(calls.filter((c) => c.includes('-D') || c.includes('-I')).length, 0);
});

test('re-adds missing FORWARD jumps behind the NetworkPolicy hook, never ahead of it', async () => {
  // Someone flushed FORWARD and the enforcer put its hook back first: the proxy's jumps are gone.
  const { exec, calls } = fakeIptables(() => [netpolHook]);
  const forward = jumpRules.filter((j) => j.table === 'filter' && j.from === 'FORWARD');
  assert.equal(await new ProxyIptables(exec).ensureJumps(), forward.length);
  const inserts = calls.filter((c) => c.includes('-I'));
  assert.deepEqual(inserts.map((c) => c[c.indexOf('-I') + 2]), forward.map(() => '2'), 'at position 2, behind the hook');
});
