// Scanning JSON text without parsing it: where a string ends, and where a top-level member's
// value lies. Stored objects are JSON already, so a part of one (its metadata, for a watch of
// metadata only) can be cut out of the stored bytes instead of parsed and serialized again.

const QUOTE = 34;
const BACKSLASH = 92;

/** Index just past the string whose opening quote is at `open` (the text's length if unclosed). */
export function stringEnd(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  // A quote preceded by an odd run of backslashes is escaped: look further.
  while (end >= 0) {
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return end + 1;
    end = text.indexOf('"', end + 1);
  }
  return text.length;
}

/** Index just past the value starting at `i` (no whitespace before it). */
function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c !== 123 /* { */ && c !== 91 /* [ */) {
    // A number, true, false or null: up to the next delimiter.
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === 44 || d === 93 || d === 125 || d === 32 || d === 10 || d === 13 || d === 9) break;
      i++;
    }
    return i;
  }
  let depth = 0;
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === QUOTE) {
      i = stringEnd(text, i);
      continue;
    }
    if (d === 123 || d === 91) depth++;
    else if (d === 125 || d === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return i;
}

/**
 * The JSON text of the value of `key` in the object `text` holds, at its top level; undefined
 * when the object has no such member. Expects compact JSON as JSON.stringify writes it (no
 * whitespace, keys unescaped where they need no escape), which is how objects are stored.
 */
export function topLevelMember(text: string, key: string): string | undefined {
  if (text.charCodeAt(0) !== 123) return undefined;
  const wanted = `"${key}"`;
  let i = 1;
  while (text.charCodeAt(i) === QUOTE) {
    const keyEnd = stringEnd(text, i);
    if (text.charCodeAt(keyEnd) !== 58 /* : */) return undefined;
    const start = keyEnd + 1;
    const end = valueEnd(text, start);
    if (keyEnd - i === wanted.length && text.startsWith(wanted, i)) return text.slice(start, end);
    if (text.charCodeAt(end) !== 44 /* , */) return undefined; // '}' ends the object; anything else is not compact
    i = end + 1;
  }
  return undefined;
}
