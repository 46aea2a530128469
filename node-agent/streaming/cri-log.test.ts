import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { criLogText, lastLogLines, LineSplitter, LogFormatter, LogOptionsError, logOptionsFromQuery, parseCriLogLine, tailStart, type CriLogEntry } from './cri-log.js';

const line = (s: string): CriLogEntry => {
  const e = parseCriLogLine(Buffer.from(s));
  assert.ok(e, `parses ${s}`);
  return e;
};

describe('CRI log lines', () => {
  it('parses time, stream, full/partial tag and content', () => {
    const e = line('2024-05-01T10:00:00.123456789Z stdout F hello world');
    assert.equal(e.timestamp, '2024-05-01T10:00:00.123456789Z');
    assert.equal(e.stream, 'stdout');
    assert.equal(e.partial, false);
    assert.equal(e.content.toString(), 'hello world');
    const p = line('2024-05-01T10:00:00+02:00 stderr P part ');
    assert.equal(p.stream, 'stderr');
    assert.equal(p.partial, true);
    assert.equal(p.content.toString(), 'part ');
  });

  it('keeps content spaces and handles empty lines and extra tags', () => {
    assert.equal(line('2024-05-01T10:00:00Z stdout F   indented').content.toString(), '  indented');
    assert.equal(line('2024-05-01T10:00:00Z stdout F').content.length, 0);
    assert.equal(line('2024-05-01T10:00:00Z stdout F ').content.length, 0);
    assert.equal(line('2024-05-01T10:00:00Z stdout P:x tagged').partial, true);
  });

  it('rejects malformed lines', () => {
    for (const bad of ['', 'garbage', 'notatime stdout F x', '2024-05-01T10:00:00Z stdlog F x']) {
      assert.equal(parseCriLogLine(Buffer.from(bad)), undefined, bad);
    }
  });
});

describe('log formatting as the kubelet writes it', () => {
  const entries = [
    line('2024-05-01T10:00:01Z stdout F one'),
    line('2024-05-01T10:00:02Z stderr P tw'),
    line('2024-05-01T10:00:03Z stderr F o'),
    line('2024-05-01T10:00:04Z stdout F three'),
  ];
  const run = (f: LogFormatter): string => entries.map((e) => f.format(e).toString()).join('');

  it('joins partial entries into one line', () => {
    assert.equal(run(new LogFormatter({ timestamps: false })), 'one\ntwo\nthree\n');
  });

  it('prefixes each line (not each fragment) with its first entry time', () => {
    assert.equal(run(new LogFormatter({ timestamps: true })), '2024-05-01T10:00:01Z one\n2024-05-01T10:00:02Z two\n2024-05-01T10:00:04Z three\n');
  });

  it('skips entries before since', () => {
    assert.equal(run(new LogFormatter({ timestamps: false, sinceMs: Date.parse('2024-05-01T10:00:03Z') })), 'o\nthree\n');
  });

  it('stops after limitBytes, cutting mid-line, timestamps included', () => {
    const f = new LogFormatter({ timestamps: false, limitBytes: 6 });
    assert.equal(run(f), 'one\ntw');
    assert.equal(f.done, true);
    assert.equal(run(new LogFormatter({ timestamps: true, limitBytes: 10 })), '2024-05-01');
  });
});

describe('line splitting and tails', () => {
  it('splits chunks into lines and holds an unterminated tail', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push(Buffer.from('a\nb')).map(String), ['a']);
    assert.deepEqual(s.push(Buffer.from('c\n\nd')).map(String), ['bc', '']);
    assert.equal(s.flush()?.toString(), 'd');
    assert.equal(s.flush(), undefined);
  });

  it('finds where the last n lines start', () => {
    const b = Buffer.from('l1\nl2\nl3\n');
    assert.equal(b.subarray(tailStart(b, 1)).toString(), 'l3\n');
    assert.equal(b.subarray(tailStart(b, 2)).toString(), 'l2\nl3\n');
    assert.equal(tailStart(b, 3), 0);
    assert.equal(tailStart(b, 10), 0);
    assert.equal(tailStart(b, 0), b.length);
    const open = Buffer.from('l1\nl2\npart');
    assert.equal(open.subarray(tailStart(open, 1)).toString(), 'part');
  });
});

describe('kubelet log query', () => {
  const q = (s: string) => logOptionsFromQuery(new URLSearchParams(s), Date.parse('2024-05-01T10:00:00Z'));

  it('reads every option', () => {
    assert.deepEqual(q('follow=true&previous=true&timestamps=true&tailLines=5&limitBytes=100&sinceSeconds=60'), {
      follow: true, previous: true, timestamps: true, tailLines: 5, limitBytes: 100, sinceMs: Date.parse('2024-05-01T09:59:00Z'),
    });
    assert.equal(q('sinceTime=2024-05-01T08:00:00Z').sinceMs, Date.parse('2024-05-01T08:00:00Z'));
    assert.deepEqual(q(''), { follow: false, previous: false, timestamps: false });
  });

  it('reads booleans as the kubelet does: 0 and false (any case) are false, other values true', () => {
    assert.deepEqual(q('follow=True&previous=1&timestamps=TRUE'), { follow: true, previous: true, timestamps: true });
    assert.deepEqual(q('follow=False&previous=0&timestamps=FALSE'), { follow: false, previous: false, timestamps: false });
  });

  it('honours the old tail parameter, "all" meaning everything', () => {
    assert.equal(q('tail=3').tailLines, 3);
    assert.equal(q('tail=all&tailLines=3').tailLines, undefined);
  });

  it('refuses invalid combinations', () => {
    assert.throws(() => q('tailLines=-1'), LogOptionsError);
    assert.throws(() => q('limitBytes=0'), /Invalid request/);
    assert.throws(() => q('sinceSeconds=1&sinceTime=2024-05-01T08:00:00Z'), /at most one/);
    assert.throws(() => q('tailLines=x'), /invalid tailLines/);
  });
});

describe('CRI log files as text (the termination message fallback)', () => {
  it('parses full and partial CRI log records', () => {
    const e = line('2024-01-01T00:00:00.123456789Z stdout F hello world');
    assert.deepEqual({ timestamp: e.timestamp, stream: e.stream, partial: e.partial, content: e.content.toString() }, {
      timestamp: '2024-01-01T00:00:00.123456789Z', stream: 'stdout', partial: false, content: 'hello world',
    });
    assert.equal(line('2024-01-01T00:00:00Z stderr P part').partial, true);
    assert.equal(line('2024-01-01T00:00:00Z stdout F').content.toString(), '');
    assert.equal(parseCriLogLine(Buffer.from('garbage')), undefined);
    assert.equal(parseCriLogLine(Buffer.from('t other F x')), undefined);
  });

  const t = '2024-01-01T00:00:00Z';
  it('joins partial records into lines', () => {
    const log = [`${t} stdout P ab`, `${t} stdout F c`, `${t} stderr F oops`, ''].join('\n');
    assert.equal(criLogText(log), 'abc\noops\n');
  });

  it('keeps the last lines within the byte budget', () => {
    const log = Array.from({ length: 100 }, (_, i) => `${t} stdout F line${i}`).join('\n');
    const tail = lastLogLines(log, 80, 2048);
    assert.equal(tail.split('\n').length, 81);
    assert.ok(tail.startsWith('line20\n'));
    assert.equal(lastLogLines(log, 80, 7), 'line99\n');
  });
});
