// The nftables mode against the real nft, in a network namespace of its own (the host's tables
// are never touched): every kind of sync is one transaction the kernel takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { execOk } from '../../../lib/exec.js';
import type { Service } from '../../kube-types.js';
import { entries, fixtureConfig, inNamespace, service, slice } from '../test-fixtures.js';
import { nftEndpointNames, nftServiceNames } from './names.js';
import { ProxyNft, removeNftTable } from './nft.js';
import { planNftSync } from './plan.js';
import { nftPortRules } from './rules.js';

const skip = process.getuid?.() !== 0 || spawnSync('ip', ['-V']).status !== 0 || spawnSync('nft', ['--version']).status !== 0;
const cfg = { ...fixtureConfig, localhostNodePorts: false };
const build = (sp: Parameters<typeof nftPortRules>[0]) => nftPortRules(sp, cfg);

test('nft takes a full sync, partial ones, a periodic one; names() and removal see what the table holds', { skip }, async () => {
  const sticky = (s: Service, seconds: number): Service => ({ ...s, spec: { ...s.spec, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: seconds } } } });
  const a = sticky(service('a', '10.43.0.20'), 60);
  const b = service('b', '10.43.0.21');
  await inNamespace('k8ts-unit-nft', async (exec, ns) => {
    // The helper shell runs nft inside the namespace too.
    const nft = new ProxyNft(exec, true, ['ip', 'netns', 'exec', ns]);
    try {
      assert.equal(await nft.present(), false);
      assert.deepEqual(await nft.names(), []);
      const one = entries([a, b], [slice('a', ['10.42.0.5']), slice('b', ['10.42.0.6'])], build);
      await nft.apply(planNftSync('full', new Map(), one, cfg).text);
      assert.equal(await nft.present(), true);
      const ep5 = nftEndpointNames('default/a:http', 'TCP', '10.42.0.5', 8080);
      assert.ok((await nft.names()).includes(ep5.affinity));
      // Over itself, as the hourly full sync.
      await nft.apply(planNftSync('full', one, one, cfg, await nft.names()).text);

      // a's endpoint replaced and its affinity timeout changed; b loses its endpoints.
      const two = entries([sticky(a, 90), b], [slice('a', ['10.42.0.9'])], build);
      await nft.apply(planNftSync('partial', one, two, cfg).text);
      const listed = (await execOk(exec, 'nft', ['list', 'table', 'ip', 'kube-proxy'])).stdout;
      assert.ok(!listed.includes(ep5.chain) && !listed.includes(ep5.affinity), 'the old endpoint\'s chain and set are gone');
      assert.match(listed, /affinity-\S+10\.42\.0\.9\/8080 \{[^}]*timeout 1m30s/);
      assert.match(listed, /10\.43\.0\.21 \. tcp \. 80 comment "default\/b:http" : goto reject-chain/);

      // a deleted: its elements, chains and sets go; b's cluster IP stays in the set.
      const three = entries([b], [], build);
      await nft.apply(planNftSync('partial', two, three, cfg).text);
      const after = (await execOk(exec, 'nft', ['list', 'table', 'ip', 'kube-proxy'])).stdout;
      assert.ok(!after.includes('default/a/'), after);
      assert.match(after, /set cluster-ips \{[^}]*elements = \{ 10\.43\.0\.21 \}/);

      // Someone deletes a map element: the periodic sync puts it back.
      await execOk(exec, 'nft', ['delete', 'element', 'ip', 'kube-proxy', 'no-endpoint-services', '{ 10.43.0.21 . tcp . 80 }']);
      await nft.apply(planNftSync('periodic', three, three, cfg).text);
      assert.match((await execOk(exec, 'nft', ['list', 'map', 'ip', 'kube-proxy', 'no-endpoint-services'])).stdout, /10\.43\.0\.21 \. tcp \. 80/);
      assert.ok(!(await nft.names()).some((n) => n.startsWith(nftServiceNames('default/a:http', 'TCP').svc)));

      assert.deepEqual(await removeNftTable(exec), ['nftables table ip kube-proxy']);
      assert.equal(await nft.present(), false);
      assert.deepEqual(await removeNftTable(exec), []);
    } finally {
      nft.close();
    }
  });
});

test('a batch nft rejects changes nothing (one transaction)', { skip }, async () => {
  await inNamespace('k8ts-unit-nft', async (exec) => {
    const nft = new ProxyNft(exec);
    const one = entries([service('a', '10.43.0.20')], [slice('a', ['10.42.0.5'])], build);
    await nft.apply(planNftSync('full', new Map(), one, cfg).text);
    const before = (await execOk(exec, 'nft', ['list', 'table', 'ip', 'kube-proxy'])).stdout;
    const bad = planNftSync('full', one, one, cfg).text + 'add rule ip kube-proxy no-such-chain accept\n';
    await assert.rejects(nft.apply(bad), /nft/);
    assert.equal((await execOk(exec, 'nft', ['list', 'table', 'ip', 'kube-proxy'])).stdout, before);
  });
});
