// Writes proto/cri-api.wire.json from proto/cri-api.proto, the source of truth (wire-schema.ts says why).
// Run after changing cri-api.proto:  npx tsc -p tsconfig.json && node dist/node-agent/cri/gen-wire-schema.js
// (a unit test fails while the two disagree).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import protobuf from 'protobufjs';
import { packageRoot } from '../../lib/package-root.js';
import { WIRE_SCHEMA_FILE, type FieldSpec, type WireSchema } from './wire-schema.js';

/** The schema of proto/cri-api.proto's package, through protobufjs' parser and reflection. */
export function generateWireSchema(protoFile = join(packageRoot(), 'proto', 'cri-api.proto'), pkg = 'runtime.v1'): WireSchema {
  const root = new protobuf.Root().loadSync(protoFile, { keepCase: true });
  root.resolveAll();
  const prefix = `.${pkg}.`;
  const local = (o: protobuf.ReflectionObject): string => {
    if (!o.fullName.startsWith(prefix)) throw new Error(`${o.fullName} is outside package ${pkg}`);
    return o.fullName.slice(prefix.length);
  };
  const schema: WireSchema = { package: pkg, services: {}, enums: {}, messages: {} };
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const o of ns.nestedArray) {
      if (o instanceof protobuf.Service) {
        schema.services[o.name] = Object.fromEntries(o.methodsArray.map((m) => {
          if (m.requestStream) throw new Error(`${m.fullName}: client streams are not supported`);
          const types: [string, string, 'stream'?] = [local(m.resolvedRequestType as protobuf.Type), local(m.resolvedResponseType as protobuf.Type)];
          if (m.responseStream) types.push('stream');
          return [m.name, types];
        }));
      } else if (o instanceof protobuf.Enum) {
        schema.enums[local(o)] = { ...o.values };
      } else if (o instanceof protobuf.Type) {
        if (o.oneofsArray.length) throw new Error(`${o.fullName}: oneofs are not supported`);
        schema.messages[local(o)] = o.fieldsArray.map((f) => {
          const spec: FieldSpec = [f.name, f.id, f.resolvedType ? local(f.resolvedType) : f.type];
          if (f instanceof protobuf.MapField) spec.push(`map:${f.keyType}`);
          else if (f.repeated) spec.push('repeated');
          return spec;
        });
      }
      if (o instanceof protobuf.Namespace) walk(o);
    }
  };
  walk(root.lookup(pkg) as protobuf.Namespace);
  return schema;
}

/** One line per service, enum and message: small, and diffs read well. */
export function formatWireSchema(s: WireSchema): string {
  const section = (o: Record<string, unknown>): string =>
    '{\n' + Object.entries(o).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n') + '\n  }';
  return `{\n  "package": ${JSON.stringify(s.package)},\n  "services": ${section(s.services)},\n  "enums": ${section(s.enums)},\n  "messages": ${section(s.messages)}\n}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = join(packageRoot(), 'proto', WIRE_SCHEMA_FILE);
  writeFileSync(file, formatWireSchema(generateWireSchema()));
  process.stdout.write(`wrote ${file}\n`);
}
