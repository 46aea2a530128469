// The layers of docs/architecture.md, written as a check: every import of every TypeScript
// source (static, re-export or import()) goes down this order, never up or across.
//
//   lib                      what the rest shares (logging, PKI, the API client, quantities)
//   cni, csi                 pod networking and storage: lib only (the server's CSI provisioner uses csi/)
//   apiserver | node-agent   the two processes' parts: neither imports the other
//   cli                      the k8ts command: wiring, may import all of the above
//   test, bench              may import anything; nothing else imports them
//
// Inside apiserver/: api/ (kinds, schemas, errors) and storage/ import nothing else of the
// server, and registry/ never imports http/: the registry serves objects, and the HTTP layer
// decodes requests and renders what the registry returns.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { packageRoot } from './package-root.js';

/** What each top-level folder may import besides itself ('*': anything). */
const mayImport: Record<string, readonly string[]> = {
  lib: [],
  cni: ['lib'],
  csi: ['lib'],
  'node-agent': ['lib', 'cni', 'csi'],
  apiserver: ['lib', 'csi'],
  cli: ['lib', 'cni', 'csi', 'node-agent', 'apiserver'],
  test: ['*'],
  bench: ['*'],
};

/** Folders inside apiserver/ that stand below the rest of it. */
const apiserverBase = ['apiserver/api/', 'apiserver/storage/'];

/** Why an import from `from` of `to` (repository paths) goes the wrong way, or undefined. */
export function wrongWay(from: string, to: string): string | undefined {
  const top = (p: string) => p.split('/')[0];
  const [a, b] = [top(from), top(to)];
  const allowed = mayImport[a];
  if (!allowed) return `${a}/ is not a layer this check knows: add it to mayImport`;
  if (!mayImport[b]) return `${b}/ is not a layer this check knows: add it to mayImport`;
  if (a !== b && !allowed.includes('*') && !allowed.includes(b)) return `${a}/ may not import ${b}/`;
  const base = apiserverBase.find((d) => from.startsWith(d));
  if (base && b === 'apiserver' && !to.startsWith(base)) return `${base} may not import the rest of apiserver/`;
  if (from.startsWith('apiserver/registry/') && to.startsWith('apiserver/http/')) return 'apiserver/registry/ may not import apiserver/http/';
  return undefined;
}

const staticImport = /^\s*(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const bareImport = /^\s*import\s*['"]([^'"]+)['"]/gm;
const dynamicImport = /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative module specifiers a source imports or re-exports. */
export function relativeImports(source: string): string[] {
  const out: string[] = [];
  for (const re of [staticImport, bareImport, dynamicImport]) {
    for (const m of source.matchAll(re)) if (m[1].startsWith('.')) out.push(m[1]);
  }
  return out;
}

export interface Edge {
  from: string;
  to: string;
  why: string;
}

/** The wrong-way imports of one source file at `file` (a repository path). */
export function wrongEdges(file: string, source: string): Edge[] {
  const edges: Edge[] = [];
  for (const spec of relativeImports(source)) {
    const to = posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts');
    const why = wrongWay(file, to);
    if (why) edges.push({ from: file, to, why });
  }
  return edges;
}

/** Every TypeScript source of the repository, as repository paths. */
function sources(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'dist') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(root);
  return out;
}

describe('layers', () => {
  it('finds an import that goes the wrong way', () => {
    // Written in pieces so that this file's own text holds no such import.
    const from = (spec: string) => ['import { x }', `from '${spec}';`].join(' ');
    const source = [
      from('../apiserver/http/server.js'),
      ['export {', 'y }', `from './client/types.js';`].join(' '),
      `const z = await ${'import'}('../node-agent/agent.js');`,
      from('node:fs'),
    ].join('\n');
    assert.deepEqual(relativeImports(source), ['../apiserver/http/server.js', './client/types.js', '../node-agent/agent.js']);
    assert.deepEqual(wrongEdges('lib/made-up.ts', source).map((e) => `${e.from} -> ${e.to}: ${e.why}`), [
      'lib/made-up.ts -> apiserver/http/server.ts: lib/ may not import apiserver/',
      'lib/made-up.ts -> node-agent/agent.ts: lib/ may not import node-agent/',
    ]);
    assert.equal(wrongWay('node-agent/pods/qos.ts', 'apiserver/api/quantity.ts'), 'node-agent/ may not import apiserver/');
    assert.equal(wrongWay('apiserver/server.ts', 'node-agent/server/index.ts'), 'apiserver/ may not import node-agent/');
    assert.equal(wrongWay('apiserver/registry/pods/eviction.ts', 'apiserver/http/body.ts'), 'apiserver/registry/ may not import apiserver/http/');
    assert.equal(wrongWay('apiserver/api/kinds/pod.ts', 'apiserver/registry/decoded.ts'), 'apiserver/api/ may not import the rest of apiserver/');
    assert.equal(wrongWay('cli/main.ts', 'test/e2e/cri-harness.ts'), 'cli/ may not import test/');
    assert.equal(wrongWay('apiserver/http/server.ts', 'apiserver/registry/api-context.ts'), undefined);
    assert.equal(wrongWay('bench/pod-startup.ts', 'test/e2e/agent-harness.ts'), undefined);
  });

  it('holds in every source file', () => {
    const root = packageRoot();
    const files = sources(root);
    assert.ok(files.includes('lib/layers.test.ts'), `sources found under ${root}`);
    const wrong = files.flatMap((f) => wrongEdges(f, readFileSync(join(root, f), 'utf8')));
    assert.deepEqual(wrong.map((e) => `${e.from} -> ${e.to}: ${e.why}`), []);
  });
});
