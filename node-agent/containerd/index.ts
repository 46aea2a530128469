// Public face of the containerd runtime layer for the agent.
export {
  startContainerRuntime,
  DEFAULT_SANDBOX_IMAGE,
  DEFAULT_STREAM_PORT,
  DEFAULT_CNI_CONF_DIR,
  DEFAULT_REGISTRIES_FILE,
  type ContainerRuntime,
  type ContainerRuntimeOptions,
} from './start.js';
export { containerdPaths, DEFAULT_RUN_DIR, type ContainerdPaths } from './paths.js';
export { detectHost, type HostFacts, type CgroupDriver, type CgroupVersion } from './host.js';
export { ContainerdSupervisor, type SupervisorOptions } from './supervisor.js';
export { parseRegistriesYaml, renderHostsFiles, registryAuthByHost, type RegistriesConfig } from './registries.js';
export { importImageArchives } from './import-images.js';
export { SHIM_SOCKET_DIR, removeStaleSockets } from './shim-sockets.js';
