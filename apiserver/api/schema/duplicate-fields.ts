// Duplicate keys in a JSON document. JSON.parse keeps the last one silently; Kubernetes' strict
// decoder reports each as `duplicate field "spec.replicas"` (and keeps the last one too).
// Every JSON create and update is scanned, so the scan jumps over strings with indexOf and only
// spells a path out when it reports one.

import { dottedPath, type PathStack } from './json-path.js';
import { stringEnd } from './json-scan.js';

const QUOTE = 34;

/** Paths of keys that repeat within one JSON object, in document order. Assumes `text` is valid JSON. */
export function duplicateFields(text: string): string[] {
  const found: string[] = [];
  /** Where the scan is: object keys and array indexes from the root down. */
  const at: PathStack = [];
  let i = 0;
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return;
      i++;
    }
  };
  /** Skips the string at i (its opening quote); returns its value when asked, unescaped if needed. */
  const str = (wanted: boolean): string => {
    const start = i;
    i = stringEnd(text, i);
    if (!wanted) return '';
    const raw = text.slice(start + 1, i - 1);
    return raw.includes('\\') ? (JSON.parse(text.slice(start, i)) as string) : raw;
  };
  const value = (): void => {
    ws();
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) {
      i++;
      ws();
      if (text.charCodeAt(i) === 125 /* } */) {
        i++;
        return;
      }
      const seen = new Set<string>();
      while (i < text.length) {
        ws();
        const key = str(true);
        at.push(key);
        if (seen.has(key)) found.push(dottedPath(at));
        seen.add(key);
        ws();
        i++; // ':'
        value();
        at.pop();
        ws();
        if (text.charCodeAt(i++) === 125) return;
      }
    } else if (c === 91 /* [ */) {
      i++;
      ws();
      if (text.charCodeAt(i) === 93 /* ] */) {
        i++;
        return;
      }
      for (let n = 0; i < text.length; n++) {
        at.push(n);
        value();
        at.pop();
        ws();
        if (text.charCodeAt(i++) === 93) return;
      }
    } else if (c === QUOTE) {
      str(false);
    } else {
      // A number, true, false or null: up to the next delimiter.
      for (;;) {
        const d = text.charCodeAt(i);
        if (d !== d || d === 44 || d === 93 || d === 125 || d === 32 || d === 10 || d === 13 || d === 9) return;
        i++;
      }
    }
  };
  value();
  return found;
}
