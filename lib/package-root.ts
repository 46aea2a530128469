// Finds the installed package's root (the directory holding package.json), so code
// compiled into dist/ can reach files shipped beside it (proto/, test scripts).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** Absolute path of the k8ts package root. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('k8ts package root not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}
