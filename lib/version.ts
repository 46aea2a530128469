// What /version reports: the Kubernetes API level k8ts implements, and the build (commit, date).
import { buildInfo } from './build-info.js';

export const kubernetesVersion = { major: '1', minor: '32', patch: '4' };

export function serverVersion(): Record<string, string> {
  const { major, minor, patch } = kubernetesVersion;
  const build = buildInfo();
  return {
    major,
    minor,
    gitVersion: `v${major}.${minor}.${patch}-k8ts`,
    gitCommit: process.env.K8TS_GIT_COMMIT ?? build.gitCommit,
    gitTreeState: build.gitTreeState,
    buildDate: process.env.K8TS_BUILD_DATE ?? build.buildDate,
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
