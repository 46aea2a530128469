// Reads the model metadata of @kubernetes/client-node (generated from Kubernetes' own OpenAPI):
// each model's attributeTypeMap (field names, JSON names, types, formats) and, from its type
// declarations, the descriptions and which fields are required. The files are read as text
// rather than imported: importing the ~800 model modules costs about half a second, reading
// only the reachable ones a few tens of milliseconds.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ModelAttribute {
  /** TypeScript property name (e.g. "_default"). */
  name: string;
  /** JSON field name (e.g. "default"). */
  baseName: string;
  /** TypeScript type: "string", "number", "Date", "Array<V1Container>", "{ [key: string]: string; }", "V1PodSpec", ... */
  type: string;
  format: string;
}

export interface ModelInfo {
  className: string;
  description: string;
  attributes: ModelAttribute[];
  /** JSON names of required fields. */
  required: string[];
  /** JSON name -> description. */
  docs: Map<string, string>;
}

/** Where the model files of the installed client library live. */
export function clientNodeModelsDir(): string {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('@kubernetes/client-node/package.json');
  return join(dirname(pkgJson), 'dist', 'gen', 'models');
}

/** Reads model metadata by class name, caching what it read. */
export class ModelReader {
  private readonly cache = new Map<string, ModelInfo | null>();

  constructor(private readonly dir: string = clientNodeModelsDir()) {}

  has(className: string): boolean {
    return this.read(className) !== undefined;
  }

  read(className: string): ModelInfo | undefined {
    let m = this.cache.get(className);
    if (m === undefined) {
      m = this.load(className);
      this.cache.set(className, m);
    }
    return m ?? undefined;
  }

  private load(className: string): ModelInfo | null {
    if (!/^\w+$/.test(className)) return null;
    const js = join(this.dir, `${className}.js`);
    const dts = join(this.dir, `${className}.d.ts`);
    if (!existsSync(js) || !existsSync(dts)) return null;
    const attributes = parseAttributeTypeMap(readFileSync(js, 'utf8'), className);
    if (!attributes) return null;
    return { className, attributes, ...parseDeclarations(readFileSync(dts, 'utf8'), attributes) };
  }
}

/** The static attributeTypeMap literal of a generated model module. */
export function parseAttributeTypeMap(source: string, className: string): ModelAttribute[] | undefined {
  const marker = `${className}.attributeTypeMap = `;
  const start = source.indexOf(marker);
  if (start < 0) return undefined;
  const end = source.indexOf('];', start);
  if (end < 0) return undefined;
  return JSON.parse(source.slice(start + marker.length, end + 1)) as ModelAttribute[];
}

/** Descriptions and required fields from a model's type declarations. */
export function parseDeclarations(
  dts: string, attributes: readonly ModelAttribute[],
): { description: string; required: string[]; docs: Map<string, string> } {
  const jsonName = new Map(attributes.map((a) => [a.name, a.baseName]));
  const docs = new Map<string, string>();
  const required: string[] = [];
  let description = '';
  let pending = '';
  const lines = dts.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.startsWith('/**')) {
      const text: string[] = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith('*/'); i++) text.push(lines[i].trim().replace(/^\* ?/, ''));
      // The generator escaped the comment text as a string literal.
      pending = text.join('\n').trim().replace(/\\(["'\\/])/g, '$1');
      // The generator's file banner is not a description.
      if (pending.includes('Do not edit the class manually')) pending = '';
      continue;
    }
    const cls = /^export declare class \w+/.exec(line);
    if (cls) {
      description = pending;
      pending = '';
      continue;
    }
    const prop = /^'([^']+)'(\?)?:/.exec(line);
    if (prop) {
      const name = jsonName.get(prop[1]) ?? prop[1];
      if (pending) docs.set(name, pending);
      if (!prop[2]) required.push(name);
      pending = '';
    } else if (line && !line.startsWith('import')) {
      pending = '';
    }
  }
  return { description, required, docs };
}
