import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFileArgs, withConfigFile } from './config-file.js';
import type { FlagSpec } from './flags.js';

const options = {
  server: { type: 'string' },
  'node-ip': { type: 'string' },
  'tls-san': { type: 'string', multiple: true },
  disable: { type: 'string', multiple: true },
  'disable-agent': { type: 'boolean' },
  'secure-port': { type: 'string' },
} satisfies FlagSpec;

describe('configFileArgs', () => {
  it('turns keys named as flags into flags', () => {
    const yaml = 'server: https://10.0.0.1:6443\nsecure-port: 6444\ndisable-agent: true\ntls-san: [a.example, 10.0.0.9]\n';
    assert.deepEqual(configFileArgs(yaml, options, 'f'), [
      '--server=https://10.0.0.1:6443', '--secure-port=6444', '--disable-agent', '--tls-san=a.example', '--tls-san=10.0.0.9',
    ]);
  });

  it('leaves a false boolean out and accepts an empty file', () => {
    assert.deepEqual(configFileArgs('disable-agent: false\n', options, 'f'), []);
    assert.deepEqual(configFileArgs('', options, 'f'), []);
  });

  it('lets the command line replace a repeatable flag, unless the key ends in +', () => {
    assert.deepEqual(configFileArgs('tls-san: [a]\n', options, 'f', ['--tls-san', 'b']), []);
    assert.deepEqual(configFileArgs('tls-san+: [a]\n', options, 'f', ['--tls-san', 'b']), ['--tls-san=a']);
  });

  it('names the file and the key it does not know', () => {
    assert.throws(() => configFileArgs('sever: x\n', options, '/etc/k8ts/config.yaml'), /\/etc\/k8ts\/config.yaml: unknown key "sever"/);
    assert.throws(() => configFileArgs('disable-agent: yes please\n', options, 'f'), /"disable-agent" takes true or false/);
    assert.throws(() => configFileArgs('- a\n', options, 'f'), /want a mapping/);
    assert.throws(() => configFileArgs('server: {a: 1}\n', options, 'f'), /must be a string/);
    assert.throws(() => configFileArgs('server: [\n', options, 'f'), /not valid YAML/);
  });
});

describe('withConfigFile', () => {
  it('puts the file first so the command line wins, and drops --config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-config-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'node-ip: 10.0.0.5\nserver: https://a:6443\n');
    assert.deepEqual(withConfigFile(['--config', file, '--node-ip', '10.0.0.6'], options, {}),
      ['--node-ip=10.0.0.5', '--server=https://a:6443', '--node-ip', '10.0.0.6']);
    assert.deepEqual(withConfigFile(['--node-ip=1.2.3.4'], options, { K8TS_CONFIG_FILE: file }),
      ['--node-ip=10.0.0.5', '--server=https://a:6443', '--node-ip=1.2.3.4']);
    assert.throws(() => withConfigFile([`--config=${join(dir, 'missing.yaml')}`], options, {}), /does not exist/);
  });
});
