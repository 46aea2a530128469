// V8 heap settings for the node agent, a small long-lived daemon. Node's defaults are made for
// throughput: the young generation grows to 2 × 16 MiB, and the old generation to several times its
// live size between full GCs. For an agent whose live heap is ~20 MiB that slack is most of its
// anonymous memory. V8 fixes the young generation's maximum when the process starts, but these two
// flags are read each time the heap grows, so setting them here works for `npx k8ts agent` too,
// without re-executing node (which would leave a second node process beside the agent).
import { setFlagsFromString } from 'node:v8';

const flags = [
  // The young generation stays at its initial 1 MiB semi-space (as --max-semi-space-size=1).
  '--semi-space-growth-factor=1',
  // The old generation may grow by 20% of what survived the last full GC (default: 10% to 300%).
  '--heap-growing-percent=20',
];

/** Applies the daemon heap settings, unless the user set heap flags of their own. */
export function useSmallHeap(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  if (/semi-space|heap-growing/.test(given)) return;
  for (const f of flags) setFlagsFromString(f);
}
