// What /version reports: the Kubernetes API level k8ts implements.
export const kubernetesVersion = { major: '1', minor: '32', patch: '4' };

export function serverVersion(): Record<string, string> {
  const { major, minor, patch } = kubernetesVersion;
  return {
    major,
    minor,
    gitVersion: `v${major}.${minor}.${patch}-k8ts`,
    gitCommit: process.env.K8TS_GIT_COMMIT ?? 'unknown',
    gitTreeState: 'clean',
    buildDate: process.env.K8TS_BUILD_DATE ?? '1970-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
