import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criLogText, lastLogLines, parseCriLogLine } from './cri-log.js';

test('parses full and partial CRI log records', () => {
  assert.deepEqual(parseCriLogLine('2024-01-01T00:00:00.123456789Z stdout F hello world'), {
    time: '2024-01-01T00:00:00.123456789Z', stream: 'stdout', full: true, text: 'hello world',
  });
  assert.equal(parseCriLogLine('2024-01-01T00:00:00Z stderr P part')?.full, false);
  assert.equal(parseCriLogLine('2024-01-01T00:00:00Z stdout F')?.text, '');
  assert.equal(parseCriLogLine('garbage'), undefined);
  assert.equal(parseCriLogLine('t other F x'), undefined);
});

test('joins partial records into lines', () => {
  const log = ['t stdout P ab', 't stdout F c', 't stderr F oops', ''].join('\n');
  assert.equal(criLogText(log), 'abc\noops\n');
});

test('keeps the last lines within the byte budget', () => {
  const log = Array.from({ length: 100 }, (_, i) => `t stdout F line${i}`).join('\n');
  const tail = lastLogLines(log, 80, 2048);
  assert.equal(tail.split('\n').length, 81);
  assert.ok(tail.startsWith('line20\n'));
  assert.equal(lastLogLines(log, 80, 7), 'line99\n');
});
