import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostExec, type Exec } from '../../lib/exec.js';
import { removeEmptyTrees } from '../../lib/empty-dirs.js';
import { fixedRules, restoreText, nodePortsCatchAll } from './rules.js';
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
    const stdout = args.includes('-S') ? jumpRules.filter((j) => j.from === chain && !(j.table === 'nat' && j.from === 'PREROUTING'))
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

test('with the real iptables, jumps are added once and found again (in a network namespace of its own)', { skip: process.getuid?.() !== 0 || spawnSync('ip', ['-V']).status !== 0 }, async () => {
  const ns = `k8ts-unit-jumps-${process.pid}`;
  const hadNetnsDir = existsSync('/run/netns');
  assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
  const exec: Exec = (file, args, opts) => hostExec('ip', ['netns', 'exec', ns, file, ...args], opts);
  try {
    const ipt = new ProxyIptables(exec);
    const cfg = { clusterCIDR: '10.42.0.0/16', localhostNodePorts: true, randomFully: true };
    await ipt.restore(restoreText({ fixed: fixedRules(cfg), shared: [], own: [], catchAll: nodePortsCatchAll(cfg) }));
    assert.equal(await ipt.canaryPresent(), true);
    assert.equal(await ipt.ensureJumps(), jumpRules.length);
    assert.equal(await ipt.ensureJumps(), 0, 'iptables -S output is recognised');
    assert.match((await exec('iptables', ['-t', 'nat', '-S', 'PREROUTING'])).stdout, /^-A PREROUTING .*-j KUBE-SERVICES$/m);
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
    if (!hadNetnsDir) await removeEmptyTrees(['/run/netns']);
  }
});
