import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestoreShell } from './restore-shell.js';

test('feeds each input to one run of the command and reports its exit code and output', async () => {
  // `sh -s` reads its script from the here-document, as iptables-restore reads its rules.
  const shell = new RestoreShell(['sh', '-s']);
  try {
    const ok = await shell.run('echo "$HOME-is-not-expanded-by-the-helper" | wc -c\nprintf \'%s\\n\' \'a $b `c`\'\n');
    assert.equal(ok.code, 0);
    assert.match(ok.output, /a \$b `c`/);
    const failed = await shell.run('printf oops >&2\nexit 3\n');
    assert.deepEqual(failed, { code: 3, output: 'oops' });
    // Large inputs go through whole.
    const big = await shell.run(`cat > /dev/null <<'X'\n${'-A KUBE-SVC-X -j ACCEPT\n'.repeat(100_000)}X\necho done\n`);
    assert.deepEqual(big, { code: 0, output: 'done\n' });
  } finally {
    shell.close();
  }
});

test('refuses input holding its delimiter, and commands that would need quoting', async () => {
  const shell = new RestoreShell(['cat']);
  await assert.rejects(shell.run('a\nK8TS_RESTORE_INPUT_END\nb\n'), /delimiter/);
  shell.close();
  assert.throws(() => new RestoreShell(['iptables-restore', '; rm -rf /']), /plain/);
});
