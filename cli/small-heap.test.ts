import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// In a fresh process (the flags must be set before the heap grows): after churning through
// short-lived objects, the young generation is still at its initial size.
const script = `
  const { useSmallHeap } = await import(${JSON.stringify(fileURLToPath(new URL('./small-heap.js', import.meta.url)))});
  const v8 = await import('node:v8');
  if (process.argv[1] === 'small') useSmallHeap();
  let keep = [];
  for (let i = 0; i < 2e6; i++) { keep.push({ i }); if (keep.length > 5e4) keep = []; }
  const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  console.log(s.space_size);
`;
const newSpace = (mode: string) => Number(execFileSync(process.execPath, ['--input-type=module', '-e', script, mode], { env: { ...process.env, NODE_OPTIONS: '' } }).toString());

test('the agent heap keeps the young generation at 2 MiB where the defaults grow it', () => {
  assert.ok(newSpace('small') <= 2 * 1024 * 1024, 'young generation grew with the small-heap flags');
  assert.ok(newSpace('default') > 2 * 1024 * 1024, 'the churn does not grow the default young generation: the test proves nothing');
});
