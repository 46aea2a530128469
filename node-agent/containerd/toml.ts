// The two TOML value forms our generated files need. Not a TOML library: containerd's
// config and hosts.toml are written from fixed templates, only values vary.

/** A TOML basic string. JSON escapes are valid TOML escapes; DEL must be escaped too. */
export function tomlString(s: string): string {
  return JSON.stringify(s).replace(/\x7f/g, '\\u007f');
}

export function tomlStringArray(items: readonly string[]): string {
  return '[' + items.map(tomlString).join(', ') + ']';
}
