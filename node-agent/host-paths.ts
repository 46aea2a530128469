// Where an agent keeps its state on the host, recorded in its data dir when it starts, so that
// `k8ts killall --data-dir D` cleans up exactly that agent (its containerd run dir, cgroup root,
// bridge and IPAM leases) when several agents share a machine, without the user repeating
// every flag the agent was started with.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from './config.js';
import { agentPaths } from './config.js';

export interface HostPaths {
  runDir?: string;
  cgroupRoot: string;
  cniBridge: string;
  cniIpamDir?: string;
}

const file = (dataDir: string) => join(agentPaths(dataDir).root, 'host-paths.json');

export function recordHostPaths(cfg: AgentConfig): void {
  const paths: HostPaths = { runDir: cfg.runDir, cgroupRoot: cfg.cgroupRoot, cniBridge: cfg.cniBridge, cniIpamDir: cfg.cniIpamDataDir };
  mkdirSync(agentPaths(cfg.dataDir).root, { recursive: true, mode: 0o700 });
  writeFileSync(`${file(cfg.dataDir)}.tmp`, `${JSON.stringify(paths, null, 2)}\n`);
  renameSync(`${file(cfg.dataDir)}.tmp`, file(cfg.dataDir));
}

/** What the agent of `dataDir` recorded, if it ever started. */
export function recordedHostPaths(dataDir: string): HostPaths | undefined {
  if (!existsSync(file(dataDir))) return undefined;
  try {
    return JSON.parse(readFileSync(file(dataDir), 'utf8')) as HostPaths;
  } catch {
    return undefined;
  }
}
