import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShellExec, shellQuote } from './shell-exec.js';

test('quotes arguments for sh', () => {
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});

test('runs commands one after another with their output and exit codes', async () => {
  const sh = new ShellExec();
  try {
    const [a, b, c] = await Promise.all([
      sh.exec('echo', ['hello world', "it's $HOME"]),
      sh.exec('sh', ['-c', 'echo oops >&2; exit 3']),
      sh.exec('printf', ['%s', 'no newline']),
    ]);
    assert.deepEqual(a, { code: 0, stdout: "hello world it's $HOME\n", stderr: "hello world it's $HOME\n" });
    assert.equal(b.code, 3);
    assert.equal(b.stderr, 'oops\n');
    assert.equal(c.stdout, 'no newline');
    assert.equal((await sh.exec('/nonexistent-command', [])).code, 127);
  } finally {
    sh.close();
  }
});
