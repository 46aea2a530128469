// The CRI messages as data for the wire codec (wire-codec.ts): proto/cri-api.wire.json, generated
// from proto/cri-api.proto by gen-wire-schema.ts. The agent reads this small table instead of
// parsing the .proto with protobufjs and @grpc/proto-loader, whose reflection objects, parser
// and generated functions cost the agent ~3 MiB of heap for the life of the process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../lib/package-root.js';

/** Scalar types of proto3 as they appear in cri-api.proto. */
export type ScalarType = 'string' | 'bytes' | 'bool' | 'double' | 'float' | 'int32' | 'uint32' | 'sint32' | 'int64' | 'uint64' | 'sint64';

/**
 * One field: [name, number, type, label?]. `type` is a scalar type, a message or an enum (by
 * its name in the package, e.g. `SecurityProfile.ProfileType`); label `repeated`, or
 * `map:<key type>` for a map (then `type` is the value's).
 */
export type FieldSpec = [name: string, id: number, type: string, label?: string];

export interface WireSchema {
  /** The proto package, e.g. `runtime.v1`. */
  package: string;
  /** service -> method -> [request type, response type, 'stream' for a server stream]. */
  services: Record<string, Record<string, [string, string, 'stream'?]>>;
  enums: Record<string, Record<string, number>>;
  messages: Record<string, FieldSpec[]>;
}

export const WIRE_SCHEMA_FILE = 'cri-api.wire.json';

/** The CRI schema shipped beside cri-api.proto. */
export function loadWireSchema(file = join(packageRoot(), 'proto', WIRE_SCHEMA_FILE)): WireSchema {
  return JSON.parse(readFileSync(file, 'utf8')) as WireSchema;
}
