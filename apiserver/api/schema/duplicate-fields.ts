// Duplicate keys in a JSON document. JSON.parse keeps the last one silently; Kubernetes' strict
// decoder reports each as `duplicate field "spec.replicas"` (and keeps the last one too).

/** Paths of keys that repeat within one JSON object, in document order. Assumes `text` is valid JSON. */
export function duplicateFields(text: string): string[] {
  const found: string[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  /** Skips a string; its value only for keys, and only unescaped when it has escapes. */
  const str = (asKey: boolean): string => {
    const start = i;
    let escaped = false;
    i++;
    while (i < text.length && text.charCodeAt(i) !== 34) {
      if (text.charCodeAt(i) === 92) {
        escaped = true;
        i += 2;
      } else {
        i++;
      }
    }
    i++;
    if (!asKey) return '';
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
  };
  const value = (at: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = str(true);
        const path = at ? `${at}.${key}` : key;
        if (seen.has(key)) found.push(path);
        seen.add(key);
        ws();
        i++; // ':'
        value(path);
        ws();
        if (text[i++] === '}') return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${at}[${n}]`);
        ws();
        if (text[i++] === ']') return;
      }
    } else if (c === '"') {
      str(false);
    } else {
      while (i < text.length && !',]} \n\r\t'.includes(text[i])) i++;
    }
  };
  value('');
  return found;
}
