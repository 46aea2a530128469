import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHostsDir } from './certs-dir.js';
import {
  HOSTS_TOML_HEADER,
  RegistriesError,
  normalizeEndpoint,
  parseRegistriesYaml,
  registryAuthByHost,
  renderHostsFiles,
} from './registries.js';

test('endpoint normalisation follows containerd/k3s defaults', () => {
  assert.deepEqual(normalizeEndpoint('127.0.0.1:5000'), { url: 'http://127.0.0.1:5000', registry: '127.0.0.1:5000', overridePath: false });
  assert.deepEqual(normalizeEndpoint('localhost:443'), { url: 'https://localhost:443', registry: 'localhost:443', overridePath: false });
  assert.deepEqual(normalizeEndpoint('registry.example.com:5000'), {
    url: 'https://registry.example.com:5000',
    registry: 'registry.example.com:5000',
    overridePath: false,
  });
  assert.deepEqual(normalizeEndpoint('docker.io'), { url: 'https://registry-1.docker.io', registry: 'docker.io', overridePath: false });
  assert.deepEqual(normalizeEndpoint('https://registry-1.docker.io/v2'), {
    url: 'https://registry-1.docker.io',
    registry: 'docker.io',
    overridePath: false,
  });
  assert.deepEqual(normalizeEndpoint('https://harbor.example/v2/proxy-docker'), {
    url: 'https://harbor.example/v2/proxy-docker',
    registry: 'harbor.example',
    overridePath: true,
  });
  assert.throws(() => normalizeEndpoint('ftp://x'), RegistriesError);
});

test('a plain-http mirror of itself is just a server line', () => {
  const { config, warnings } = parseRegistriesYaml(`
mirrors:
  "127.0.0.1:5000":
    endpoint:
      - "http://127.0.0.1:5000"
`);
  assert.deepEqual(warnings, []);
  const files = renderHostsFiles(config);
  assert.deepEqual([...files.keys()], ['127.0.0.1:5000']);
  assert.equal(files.get('127.0.0.1:5000'), `${HOSTS_TOML_HEADER}\nserver = "http://127.0.0.1:5000"\n`);
});

test('mirrors with TLS and auth: hosts.toml gets endpoints and TLS, config.toml gets auth', () => {
  const { config, warnings } = parseRegistriesYaml(`
mirrors:
  docker.io:
    endpoint:
      - "https://mirror.example:5000"
      - "http://10.0.0.5:5000"
      - "https://mirror.example:5000"
configs:
  "mirror.example:5000":
    auth:
      username: user
      password: "p\\"w"
    tls:
      ca_file: /etc/ssl/mirror-ca.pem
      cert_file: /etc/ssl/client.pem
      key_file: /etc/ssl/client-key.pem
  docker.io:
    auth:
      auth: dXNlcjpwYXNz
  insecure.example:
    tls:
      insecure_skip_verify: true
`);
  assert.deepEqual(warnings, []);
  const files = renderHostsFiles(config);
  // mirror.example:5000 gets its own file too, for direct pulls from it.
  assert.deepEqual([...files.keys()].sort(), ['docker.io', 'insecure.example', 'mirror.example:5000']);
  assert.equal(
    files.get('docker.io'),
    [
      HOSTS_TOML_HEADER,
      'server = "https://registry-1.docker.io"',
      '',
      '[host."https://mirror.example:5000"]',
      '  capabilities = ["pull", "resolve"]',
      '  ca = "/etc/ssl/mirror-ca.pem"',
      '  client = [["/etc/ssl/client.pem", "/etc/ssl/client-key.pem"]]',
      '',
      '[host."http://10.0.0.5:5000"]',
      '  capabilities = ["pull", "resolve"]',
      '',
    ].join('\n'),
  );
  assert.equal(files.get('insecure.example'), `${HOSTS_TOML_HEADER}\nserver = "https://insecure.example"\nskip_verify = true\n`);
  assert.equal(
    files.get('mirror.example:5000'),
    `${HOSTS_TOML_HEADER}\nserver = "https://mirror.example:5000"\nca = "/etc/ssl/mirror-ca.pem"\nclient = [["/etc/ssl/client.pem", "/etc/ssl/client-key.pem"]]\n`,
  );
  assert.deepEqual(registryAuthByHost(config), {
    'mirror.example:5000': { username: 'user', password: 'p"w', auth: undefined, identitytoken: undefined },
    'docker.io': { username: undefined, password: undefined, auth: 'dXNlcjpwYXNz', identitytoken: undefined },
    'registry-1.docker.io': { username: undefined, password: undefined, auth: 'dXNlcjpwYXNz', identitytoken: undefined },
  });
});

test('"*" mirrors go to _default without a server line', () => {
  const { config } = parseRegistriesYaml(`mirrors: {"*": {endpoint: ["https://mirror.example"]}}`);
  const files = renderHostsFiles(config);
  assert.equal(
    files.get('_default'),
    `${HOSTS_TOML_HEADER}\n\n[host."https://mirror.example"]\n  capabilities = ["pull", "resolve"]\n`,
  );
});

test('unsupported settings are reported, malformed ones rejected', () => {
  const { warnings } = parseRegistriesYaml(`
mirrors:
  docker.io:
    endpoint: ["https://m.example"]
    rewrite: {"^rancher/(.*)": "mirror/$1"}
configs:
  m.example:
    auth: {token: abc}
extra: 1
`);
  assert.equal(warnings.length, 3);
  assert.match(warnings.join('\n'), /rewrite/);
  assert.match(warnings.join('\n'), /token/);
  assert.match(warnings.join('\n'), /\.extra is not supported/);
  assert.throws(() => parseRegistriesYaml('mirrors: [1]'), RegistriesError);
  assert.throws(() => parseRegistriesYaml('mirrors: {a: {endpoint: "x"}}'), RegistriesError);
  assert.throws(() => parseRegistriesYaml('configs: {a: {tls: {cert_file: /x}}}'), /cert_file and key_file/);
  assert.deepEqual(parseRegistriesYaml('').config, { mirrors: {}, configs: {} });
});

test('writeHostsDir replaces our stale files and keeps hand-made ones', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-certs-'));
  try {
    await mkdir(join(dir, 'old.example'));
    await writeFile(join(dir, 'old.example', 'hosts.toml'), HOSTS_TOML_HEADER + '\nserver = "https://old.example"\n');
    await mkdir(join(dir, 'mine.example'));
    await writeFile(join(dir, 'mine.example', 'hosts.toml'), 'server = "https://mine.example"\n');
    await writeHostsDir(dir, new Map([['127.0.0.1:5000', 'server = "http://127.0.0.1:5000"\n']]));
    assert.deepEqual((await readdir(dir)).sort(), ['127.0.0.1:5000', 'mine.example']);
    assert.equal(await readFile(join(dir, '127.0.0.1:5000', 'hosts.toml'), 'utf8'), 'server = "http://127.0.0.1:5000"\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
