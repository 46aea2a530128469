import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, channelMessage, closeSignal, exitCodeOf, internalErrorStatus, parseChannelMessage, streamOptionsFromQuery, streamOptionsProblem } from './remotecommand.js';

describe('remote command channel protocol', () => {
  it('frames data behind a channel byte', () => {
    const m = channelMessage(Channel.stdout, Buffer.from('hi'));
    assert.deepEqual([...m], [1, 0x68, 0x69]);
    assert.deepEqual(parseChannelMessage(m), { channel: 1, data: Buffer.from('hi') });
    assert.deepEqual([...channelMessage(Channel.error)], [3]);
    assert.equal(parseChannelMessage(Buffer.alloc(0)), undefined);
  });

  it('recognises the v5 CLOSE signal for a channel', () => {
    assert.equal(closeSignal({ channel: 255, data: Buffer.from([0]) }), Channel.stdin);
    assert.equal(closeSignal({ channel: 0, data: Buffer.from([0]) }), undefined);
    assert.equal(closeSignal({ channel: 255, data: Buffer.alloc(0) }), undefined);
  });

  it('reads the exit code a v4 Status reports', () => {
    assert.equal(exitCodeOf(''), 0);
    assert.equal(exitCodeOf('{"metadata":{},"status":"Success"}'), 0);
    assert.equal(exitCodeOf(JSON.stringify({
      status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    })), 3);
    assert.equal(exitCodeOf(JSON.stringify(internalErrorStatus('boom'))), undefined);
  });

  it('reads the kubelet query and refuses a session without streams', () => {
    assert.deepEqual(streamOptionsFromQuery(new URLSearchParams('input=1&output=1&error=1')), { stdin: true, stdout: true, stderr: true, tty: false });
    // A terminal carries stderr on stdout.
    assert.deepEqual(streamOptionsFromQuery(new URLSearchParams('output=1&error=1&tty=1')), { stdin: false, stdout: true, stderr: false, tty: true });
    assert.equal(streamOptionsProblem(streamOptionsFromQuery(new URLSearchParams(''))), 'you must specify at least 1 of stdin, stdout, stderr');
    assert.deepEqual(streamOptionsFromQuery(new URLSearchParams('input=True&output=true&error=0&tty=False')), { stdin: true, stdout: true, stderr: false, tty: false });
  });

  it('reports its own failures as an InternalError Status', () => {
    assert.deepEqual(internalErrorStatus('unable to upgrade connection: container not found ("x")'), {
      metadata: {}, status: 'Failure', reason: 'InternalError', code: 500,
      message: 'Internal error occurred: unable to upgrade connection: container not found ("x")',
      details: { causes: [{ message: 'unable to upgrade connection: container not found ("x")' }] },
    });
  });
});
