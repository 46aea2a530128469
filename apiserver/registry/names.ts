// generateName suffixes, drawn from the same alphabet as Kubernetes (no vowels, no
// look-alike characters) so generated names never spell words or confuse readers.
import { randomInt } from 'node:crypto';

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

export const generateNameSuffix = () => randomSuffix(5);
