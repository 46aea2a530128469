import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readContainerLog, type FollowControl } from './log-file.js';
import type { LogOptions } from './cri-log.js';

let dir = '';
const entry = (n: number, stream = 'stdout'): string => `2024-05-01T10:00:${String(n % 60).padStart(2, '0')}.000000001Z ${stream} F line ${n}\n`;
const opts = (o: Partial<LogOptions> = {}): LogOptions => ({ follow: false, previous: false, timestamps: false, ...o });
const control = (running: () => boolean = () => false, signal = new AbortController().signal): FollowControl => ({ stillRunning: async () => running(), signal });

async function collect(gen: AsyncGenerator<Buffer>): Promise<string> {
  let out = '';
  for await (const c of gen) out += c.toString();
  return out;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8ts-logfile-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reading a container log file', () => {
  it('prints every entry', async () => {
    const f = join(dir, 'all.log');
    await writeFile(f, entry(1) + entry(2, 'stderr') + 'not a cri line\n' + entry(3));
    assert.equal(await collect(readContainerLog(f, opts(), control())), 'line 1\nline 2\nline 3\n');
  });

  it('tails a file larger than one read from its end', async () => {
    const f = join(dir, 'big.log');
    await writeFile(f, Array.from({ length: 5000 }, (_, i) => entry(i)).join(''));
    assert.equal(await collect(readContainerLog(f, opts({ tailLines: 2 }), control())), 'line 4998\nline 4999\n');
    assert.equal((await collect(readContainerLog(f, opts({ tailLines: 0 }), control()))), '');
    assert.equal((await collect(readContainerLog(f, opts({ tailLines: 10_000 }), control()))).split('\n').length, 5001);
  });

  it('follows appends until the container stops, then drains and ends', async () => {
    const f = join(dir, 'follow.log');
    await writeFile(f, entry(1));
    let running = true;
    const out: string[] = [];
    const done = (async () => {
      for await (const c of readContainerLog(f, opts({ follow: true }), control(() => running))) out.push(c.toString());
    })();
    await sleep(100);
    await appendFile(f, entry(2));
    await sleep(200);
    assert.equal(out.join(''), 'line 1\nline 2\n', 'appended lines arrive while following');
    await appendFile(f, entry(3));
    running = false;
    await done;
    assert.equal(out.join(''), 'line 1\nline 2\nline 3\n', 'what was written before the exit is not lost');
  });

  it('follows onto the new file after a rotation', async () => {
    const f = join(dir, 'rotate.log');
    await writeFile(f, entry(1));
    let running = true;
    let out = '';
    const done = (async () => {
      for await (const c of readContainerLog(f, opts({ follow: true }), control(() => running))) out += c.toString();
    })();
    await sleep(100);
    await appendFile(f, entry(2));
    await rename(f, `${f}.1`);
    await writeFile(f, entry(3));
    await sleep(300);
    running = false;
    await done;
    assert.equal(out, 'line 1\nline 2\nline 3\n');
  });

  it('stops following when the client goes away, or at the byte limit', async () => {
    const f = join(dir, 'stop.log');
    await writeFile(f, entry(1) + entry(2));
    const ac = new AbortController();
    const gen = readContainerLog(f, opts({ follow: true }), control(() => true, ac.signal));
    const all = collect(gen);
    await sleep(100);
    ac.abort();
    assert.equal(await all, 'line 1\nline 2\n');
    assert.equal(await collect(readContainerLog(f, opts({ follow: true, limitBytes: 9 }), control(() => true))), 'line 1\nli');
  });
});
