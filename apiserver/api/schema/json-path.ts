// Paths into a JSON document as Kubernetes' decoders print them: "spec.containers[0].image".
// Walkers keep the path as a stack of keys and indexes and spell it out only to report it.

export type PathStack = Array<string | number>;

/** The printed form of a path: keys joined with dots, indexes in brackets. */
export function dottedPath(at: Readonly<PathStack>): string {
  let p = '';
  for (const e of at) p += typeof e === 'number' ? `[${e}]` : p ? `.${e}` : e;
  return p;
}
