// Loads the schema of the built-in kinds from proto/kubernetes/schema.json, once.
import { readFileSync } from 'node:fs';
import { parseSchema, type KubeSchema } from './schema.js';

/** From dist/apiserver/protobuf/ (and apiserver/protobuf/) the package root is three levels up. */
const schemaPath = new URL('../../../proto/kubernetes/schema.json', import.meta.url);

let cached: KubeSchema | undefined;

export function builtinSchema(): KubeSchema {
  cached ??= parseSchema(JSON.parse(readFileSync(schemaPath, 'utf8')));
  return cached;
}
