// Puts this host back in the state of a machine k8ts never ran on, as far as the container tests
// can tell: no inert nftables tables (the first iptables rule creates one; nothing but `nft`
// removes it), no stale shim sockets, and none of the host-wide dirs a first run creates
// (/run/containerd, /var/lib/cni, /run/netns...). `.ci/run` calls it before the tests, so every
// CI run tests a first run, which is what a new user's machine is. Anything that holds real
// state (rules, live sockets, files) is reported, not touched. A step that fails is reported,
// not fatal: the tests' own before/after checks still cover a less fresh host.
import { existsSync } from 'node:fs';
import { isInertTable, removeEmptyNftTable, savedTables, type IptablesTable } from '../cni/host-cleanup.js';
import { removeEmptyTrees } from '../lib/empty-dirs.js';
import { removeStaleSockets } from '../node-agent/containerd/index.js';
import { SHARED_DIRS } from './e2e/cri-harness.js';

const say = (line: string): void => void process.stdout.write(`fresh-host: ${line}\n`);

async function step(what: string, fn: () => Promise<void>): Promise<void> {
  await fn().catch((err: Error) => say(`could not ${what}: ${err.message}`));
}

async function resetTables(): Promise<void> {
  if (!existsSync('/usr/sbin/iptables-save') && !existsSync('/sbin/iptables-save')) return say('iptables is not installed: no tables to reset');
  for (const [t, saved] of await savedTables()) {
    if (!isInertTable(saved)) say(`table ${t} holds rules or chains (${saved.chains.length} chains): left alone`);
    else if (await removeEmptyNftTable(t as IptablesTable)) say(`deleted the inert nftables table ip ${t}`);
    else say(`table ${t} is inert but could not be deleted (legacy backend, or no nft)`);
  }
}

async function removeSharedDirs(): Promise<void> {
  // Shims killed by an earlier, interrupted run leave sockets nobody listens on.
  for (const s of await removeStaleSockets()) say(`removed the stale shim socket ${s}`);
  const removed = await removeEmptyTrees(SHARED_DIRS);
  for (const d of removed) say(`removed ${d}`);
  for (const d of SHARED_DIRS) if (existsSync(d) && !removed.includes(d)) say(`${d} holds files: left alone`);
}

if (process.getuid?.() !== 0) {
  say('not root: nothing to reset');
} else {
  await step('reset iptables tables', resetTables);
  await step('remove host-wide dirs', removeSharedDirs);
}
