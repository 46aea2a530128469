import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderContainerdConfig, redactConfig, type ContainerdConfigInput } from './config.js';
import { containerdPaths } from './paths.js';

const p = containerdPaths('/var/lib/k8ts');
const input: ContainerdConfigInput = {
  root: p.root,
  state: p.state,
  socket: p.socket,
  ttrpcSocket: p.ttrpcSocket,
  optDir: p.optDir,
  sandboxImage: 'registry.k8s.io/pause:3.10',
  streamServerAddress: '127.0.0.1',
  streamServerPort: 10010,
  snapshotter: 'overlayfs',
  cgroupDriver: 'cgroupfs',
  runcRoot: p.runcRoot,
  disableApparmor: true,
  restrictOomScoreAdj: true,
  cniBinDir: '/usr/lib/cni',
  cniConfDir: '/etc/cni/net.d',
  registryConfigPath: p.certsDir,
  registryAuth: { '127.0.0.1:5001': { username: 'u', password: 'sec"ret' } },
};

test('paths follow the k3s layout under <data>/agent and /run/k8ts', () => {
  assert.equal(p.configFile, '/var/lib/k8ts/agent/containerd/config.toml');
  assert.equal(p.socket, '/run/k8ts/containerd/containerd.sock');
  assert.equal(p.runcRoot, '/run/k8ts/runc');
  assert.equal(p.imagesDir, '/var/lib/k8ts/agent/images');
});

test('config.toml carries every host-specific setting', () => {
  const t = renderContainerdConfig(input);
  for (const line of [
    'version = 2',
    'root = "/var/lib/k8ts/agent/containerd"',
    'state = "/run/k8ts/containerd"',
    '  address = "/run/k8ts/containerd/containerd.sock"',
    '  address = "/run/k8ts/containerd/containerd.sock.ttrpc"',
    '  path = "/var/lib/k8ts/agent/containerd/opt"',
    '  sandbox_image = "registry.k8s.io/pause:3.10"',
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "10010"',
    '  disable_apparmor = true',
    '  restrict_oom_score_adj = true',
    '  snapshotter = "overlayfs"',
    '  SystemdCgroup = false',
    '  Root = "/run/k8ts/runc"',
    '  bin_dir = "/usr/lib/cni"',
    '  conf_dir = "/etc/cni/net.d"',
    '  config_path = "/var/lib/k8ts/agent/containerd/certs.d"',
    '[plugins."io.containerd.grpc.v1.cri".registry.configs."127.0.0.1:5001".auth]',
    '  password = "sec\\"ret"',
  ]) {
    assert.ok(t.split('\n').includes(line), `missing line: ${line}\n---\n${t}`);
  }
  // containerd 1.6 refuses these next to config_path.
  assert.doesNotMatch(t, /registry\.mirrors|\.tls\]/);
});

test('systemd driver, apparmor and oom flags follow the input', () => {
  const t = renderContainerdConfig({ ...input, cgroupDriver: 'systemd', disableApparmor: false, restrictOomScoreAdj: false, registryAuth: {} });
  assert.match(t, /^ {2}SystemdCgroup = true$/m);
  assert.match(t, /^ {2}disable_apparmor = false$/m);
  assert.match(t, /^ {2}restrict_oom_score_adj = false$/m);
  assert.doesNotMatch(t, /registry\.configs/);
});

test('secrets are redacted for logs', () => {
  const t = redactConfig(renderContainerdConfig(input));
  assert.doesNotMatch(t, /sec\\"ret/);
  assert.match(t, /password = "<redacted>"/);
});
