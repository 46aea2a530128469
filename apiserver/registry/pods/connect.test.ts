import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/errors.js';
import { isGlobalUnicast, resolveContainer } from './connect.js';
import { containerLogsQuery, podLogOptions, podStreamOptions, portForwardQuery, streamQuery } from './connect-options.js';

const pod = (names: string[], init: string[] = []) => ({
  metadata: { name: 'web' }, spec: { containers: names.map((name) => ({ name })), initContainers: init.map((name) => ({ name })) },
});

const badRequest = (fn: () => unknown, message: string) =>
  assert.throws(fn, (e: unknown) => e instanceof StatusError && e.code === 400 && e.reason === 'BadRequest' && e.message === message);

describe('which container a pod request means', () => {
  it('takes the named container or the only one', () => {
    assert.equal(resolveContainer('', pod(['app'])), 'app');
    assert.equal(resolveContainer('init', pod(['app'], ['init'])), 'init');
  });

  it('refuses unknown names and ambiguity with Kubernetes messages', () => {
    badRequest(() => resolveContainer('nope', pod(['app'])), 'container nope is not valid for pod web');
    badRequest(() => resolveContainer('', pod(['a', 'b'], ['i'])), 'a container name must be specified for pod web, choose one of: [i a b]');
    badRequest(() => resolveContainer('', pod([])), 'a container name must be specified for pod web');
  });
});

describe('pod log options', () => {
  const q = (s: string) => podLogOptions(new URLSearchParams(s), 'web');

  it('reads them and forwards them to the agent', () => {
    const o = q('container=app&follow=true&tailLines=10&timestamps=1&limitBytes=100&sinceTime=2024-05-01T10:00:00.5Z');
    assert.deepEqual(o, { container: 'app', follow: true, previous: false, timestamps: true, insecureSkipTLSVerifyBackend: false, tailLines: 10, limitBytes: 100, sinceTime: '2024-05-01T10:00:00Z' });
    assert.equal(containerLogsQuery(o), '?follow=true&limitBytes=100&sinceTime=2024-05-01T10%3A00%3A00Z&tailLines=10&timestamps=true');
    assert.equal(containerLogsQuery(q('')), '');
  });

  it('reads booleans as Kubernetes does: only 0 and false (any case) are false', () => {
    // The Python client sends True; apimachinery's conversion refuses no value.
    const o = q('follow=True&previous=FALSE&timestamps=t');
    assert.deepEqual([o.follow, o.previous, o.timestamps], [true, false, true]);
    assert.equal(containerLogsQuery(o), '?follow=true&timestamps=true');
    assert.equal(q('follow=maybe').follow, true);
    assert.equal(q('follow=0').follow, false);
    assert.deepEqual(podStreamOptions(new URLSearchParams('stdin=True&stdout=1&stderr=False&tty=TRUE')), { container: '', stdin: true, stdout: true, stderr: false, tty: true, command: [] });
  });

  it('rejects what Kubernetes rejects', () => {
    const invalid = (s: string, message: string) =>
      assert.throws(() => q(s), (e: unknown) => e instanceof StatusError && e.code === 422 && e.message === message);
    invalid('tailLines=-1', 'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0');
    invalid('limitBytes=0', 'PodLogOptions "web" is invalid: limitBytes: Invalid value: 0: must be greater than 0');
    invalid('sinceSeconds=0', 'PodLogOptions "web" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0');
    invalid('sinceSeconds=5&sinceTime=2024-05-01T10:00:00Z', 'PodLogOptions "web" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified');
    badRequest(() => q('tailLines=ten'), 'strconv.ParseInt: parsing "ten": invalid syntax');
  });
});

describe('exec, attach and port-forward options', () => {
  it('become the kubelet query (input/output/error/tty, repeated command)', () => {
    const o = podStreamOptions(new URLSearchParams('command=sh&command=-c&command=echo+hi&container=app&stdin=true&stdout=true&stderr=true&tty=false'));
    assert.deepEqual(o, { container: 'app', stdin: true, stdout: true, stderr: true, tty: false, command: ['sh', '-c', 'echo hi'] });
    assert.equal(streamQuery(o, true), '?command=sh&command=-c&command=echo+hi&error=1&input=1&output=1');
    assert.equal(streamQuery({ ...o, tty: true, stderr: false }, false), '?input=1&output=1&tty=1');
    assert.equal(portForwardQuery(new URLSearchParams('ports=80&ports=8080')), '?port=80,8080');
    assert.equal(portForwardQuery(new URLSearchParams('')), '');
  });
});

describe('pod proxy addresses', () => {
  it('allows only global unicast addresses', () => {
    for (const ok of ['10.42.0.5', '198.18.42.2', '2001:db8::1']) assert.equal(isGlobalUnicast(ok), true, ok);
    for (const bad of ['', '127.0.0.1', '0.0.0.0', '169.254.1.1', '224.0.0.1', '::1', 'fe80::1']) assert.equal(isGlobalUnicast(bad), false, bad);
  });
});
