import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { notifyReady } from './sd-notify.js';
import type { Exec } from './exec.js';

describe('notifyReady', () => {
  it('does nothing outside a Type=notify unit', async () => {
    let called = false;
    const exec: Exec = async () => { called = true; return { code: 0, stdout: '', stderr: '' }; };
    assert.equal(await notifyReady({}, exec, 42), false);
    assert.equal(called, false);
  });

  it('sends READY=1 on behalf of the main pid', async () => {
    const calls: string[][] = [];
    const exec: Exec = async (file, args) => { calls.push([file, ...args]); return { code: 0, stdout: '', stderr: '' }; };
    assert.equal(await notifyReady({ NOTIFY_SOCKET: '/run/systemd/notify' }, exec, 42), true);
    assert.deepEqual(calls, [['systemd-notify', '--ready', '--pid=42']]);
  });

  it('reports a failed notification instead of throwing', async () => {
    const exec: Exec = async () => ({ code: 1, stdout: '', stderr: 'No such file' });
    assert.equal(await notifyReady({ NOTIFY_SOCKET: '/nonexistent' }, exec, 42), false);
    const missing: Exec = async () => { throw Object.assign(new Error('spawn systemd-notify ENOENT'), { code: 'ENOENT' }); };
    assert.equal(await notifyReady({ NOTIFY_SOCKET: '/nonexistent' }, missing, 42), false);
  });
});
