import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { configYaml, parseInstallFlags } from './flags-to-config.js';

describe('parseInstallFlags', () => {
  it('keeps flags as config keys and the token apart', () => {
    const f = parseInstallFlags(['--server', 'https://10.0.0.1:6443', '--token=K10abc::server:s', '--node-ip', '10.0.0.2', '--disable-kube-proxy', '--tls-san', 'a', '--tls-san=b']);
    assert.deepEqual(f.config, { server: 'https://10.0.0.1:6443', 'node-ip': '10.0.0.2', 'disable-kube-proxy': true, 'tls-san': ['a', 'b'] });
    assert.equal(f.token, 'K10abc::server:s');
  });

  it('takes a trailing bare flag as true', () => {
    assert.deepEqual(parseInstallFlags(['--disable-agent']).config, { 'disable-agent': true });
  });

  it('refuses what is not a flag', () => {
    assert.throws(() => parseInstallFlags(['server']), /unexpected argument "server"/);
    assert.throws(() => parseInstallFlags(['--token']), /--token needs a value/);
    assert.throws(() => parseInstallFlags(['--disable-agent', '--disable-agent']), /given twice/);
  });
});

describe('configYaml', () => {
  it('round-trips through YAML with keys named as flags', () => {
    const cfg = { server: 'https://10.0.0.1:6443', 'disable-kube-proxy': true, 'tls-san': ['a', 'b'] };
    assert.deepEqual(parse(configYaml(cfg)), cfg);
  });
});
