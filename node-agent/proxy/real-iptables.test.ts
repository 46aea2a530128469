// The proxy against the real iptables, each test in a network namespace of its own. They share
// one file so they run one after another: `ip netns add` makes /run/netns on a host that had
// none, and tests racing over it could not tell whether to remove it again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ProxyIptables } from './iptables.js';
import { RestoreShell } from '../iptables/restore-shell.js';
import { fixedRules, jumpRules, nodePortsCatchAll, restoreText } from './rules.js';
import { planSync } from './sync-plan.js';
import { entries, fixtureConfig, inNamespace, lines, service, slice } from './test-fixtures.js';
import { NetpolIptables } from '../netpol/iptables.js';
import { netpolRestoreText } from '../netpol/rules.js';

const skip = process.getuid?.() !== 0 || spawnSync('ip', ['-V']).status !== 0 || spawnSync('iptables-restore', ['--version']).status !== 0;
const cfg = fixtureConfig;

test('iptables-restore applies a full sync then partial ones in turn', { skip }, async () => {
  const a = service('a', '10.43.0.20');
  const b = service('b', '10.43.0.21');
  const before = entries([a, b], [slice('a', ['10.42.0.5']), slice('b', ['10.42.0.6'])]);
  await inNamespace('k8ts-unit-proxy', async (exec) => {
    const ipt = new ProxyIptables(exec);
    await ipt.restore(planSync('full', new Map(), before, cfg).text);
    const empty = entries([a, b], [slice('a', ['10.42.0.5'])]);
    await ipt.restore(planSync('partial', before, empty, cfg).text);
    await ipt.restore(planSync('partial', empty, before, cfg).text);
    const nat = (await exec('iptables-save', ['-t', 'nat'])).stdout;
    const services = lines(nat, /^-A KUBE-SERVICES /);
    assert.equal(services.length, 3);
    assert.match(services.at(-1)!, /KUBE-NODEPORTS$/);
  });
});

test('jumps are added once and found again, through the helper shell too', { skip }, async () => {
  await inNamespace('k8ts-unit-proxy', async (exec, ns) => {
    const ipt = new ProxyIptables(exec);
    const shell = new RestoreShell(['ip', 'netns', 'exec', ns, 'iptables-restore', '--noflush']);
    try {
      await ipt.restore(restoreText({ fixed: fixedRules(cfg), shared: [], own: [], catchAll: nodePortsCatchAll(cfg) }));
      assert.equal(await ipt.canaryPresent(), true);
      assert.equal(await ipt.ensureJumps(), jumpRules.length);
      assert.equal(await ipt.ensureJumps(), 0, 'iptables -S output is recognised');
      assert.match((await exec('iptables', ['-t', 'nat', '-S', 'PREROUTING'])).stdout, /^-A PREROUTING .*-j KUBE-SERVICES$/m);
      // The helper shell applies what iptables-restore accepts and reports what it refuses.
      assert.equal((await shell.run('*nat\n:KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]\nCOMMIT\n')).code, 0);
      assert.deepEqual(await ipt.natChains().then((c) => c.filter((x) => x.startsWith('KUBE-SVC-'))), ['KUBE-SVC-AAAAAAAAAAAAAAAA']);
      const refused = await shell.run('*nat\n-A NO-SUCH-CHAIN -j ACCEPT\nCOMMIT\n');
      assert.notEqual(refused.code, 0);
      assert.match(refused.output, /NO-SUCH-CHAIN|line 2/);
    } finally {
      shell.close();
    }
  });
});

test('the NetworkPolicy hook stays first in FORWARD when the proxy puts its jumps back', { skip }, async () => {
  await inNamespace('k8ts-unit-proxy', async (exec) => {
    const proxy = new ProxyIptables(exec);
    const netpol = new NetpolIptables(exec);
    await proxy.restore(restoreText({ fixed: fixedRules(cfg), shared: [], own: [], catchAll: nodePortsCatchAll(cfg) }));
    await netpol.restore(netpolRestoreText({ policies: [], firewalls: [] }, []).text);
    await proxy.ensureJumps();
    assert.equal(await netpol.ensureHook(), true);
    const forward = async () => (await exec('iptables', ['-t', 'filter', '-S', 'FORWARD'])).stdout.split('\n').filter((l) => l.startsWith('-A '));
    assert.match((await forward())[0]!, /-j KUBE-ROUTER-FORWARD$/);
    // FORWARD flushed, the enforcer first to put its hook back, then the proxy its jumps.
    assert.equal((await exec('iptables', ['-t', 'filter', '-F', 'FORWARD'])).code, 0);
    assert.equal(await netpol.ensureHook(), true);
    assert.ok(await proxy.ensureJumps() > 0);
    const rules = await forward();
    assert.match(rules[0]!, /-j KUBE-ROUTER-FORWARD$/, `the hook is first at once:\n${rules.join('\n')}`);
    assert.ok(rules.some((l) => l.endsWith('-j KUBE-FORWARD')));
    assert.equal(await netpol.ensureHook(), false, 'nothing left for the enforcer\'s next check to fix');
    assert.equal(await proxy.ensureJumps(), 0);
  });
});
