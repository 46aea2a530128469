// JSON text indented as Go's json.MarshalIndent(v, "", "  ") writes it, without parsing it: the
// text is re-spaced token by token, so numbers, key order and escapes stay exactly as they were.
// Kubernetes answers `?pretty=true` (and curl, Wget and browsers) this way. Pure.

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Indents well-formed JSON text by two spaces a level; `{}` and `[]` stay on one line. No trailing newline. */
export function indentJson(json: string): string {
  const parts: string[] = [];
  let depth = 0;
  let i = 0;
  const n = json.length;
  const newline = () => `\n${'  '.repeat(depth)}`;
  while (i < n) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      // A string, escapes and all, copied as it is.
      let j = i + 1;
      while (j < n && json.charCodeAt(j) !== 0x22) j += json.charCodeAt(j) === 0x5c ? 2 : 1;
      parts.push(json.slice(i, j + 1));
      i = j + 1;
    } else if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      let j = i + 1;
      while (j < n && isSpace(json.charCodeAt(j))) j++;
      if (json.charCodeAt(j) === close) {
        parts.push(c === 0x7b ? '{}' : '[]');
        i = j + 1;
      } else {
        depth++;
        parts.push(json[i] + newline());
        i++;
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      parts.push(newline() + json[i]);
      i++;
    } else if (c === 0x2c) {
      parts.push(',' + newline());
      i++;
    } else if (c === 0x3a) {
      parts.push(': ');
      i++;
    } else if (isSpace(c)) {
      i++;
    } else {
      // A number or a literal: up to the next structural character or space.
      let j = i + 1;
      while (j < n && !isSpace(json.charCodeAt(j)) && !',:]}'.includes(json[j])) j++;
      parts.push(json.slice(i, j));
      i = j;
    }
  }
  return parts.join('');
}
