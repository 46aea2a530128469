// A container's CRI ContainerConfig (kubelet's generateContainerConfig), from the pod, the
// environment and mounts worked out beforehand, and the image's user.
import type { Container, Pod } from '../kube-types.js';
import type { ContainerConfig, MountIn } from '../cri/types.js';
import { expandCommand, type KeyValue } from './env.js';
import { containerAnnotations, containerLabels, type ContainerKind } from './labels.js';
import { containerResources, type ResourceContext } from './resources.js';
import { containerSecurityContext, verifyRunAsNonRoot, type ImageUser } from './security-context.js';

export interface ContainerInputs {
  kind: ContainerKind;
  restartCount: number;
  /** The resolved image (its ID), and the image's user for runAsNonRoot/runAsUsername. */
  imageRef: string;
  imageUser: ImageUser;
  env: KeyValue[];
  mounts: MountIn[];
  resources: ResourceContext;
}

/** `<container>/<restartCount>.log`, relative to the sandbox's log directory. */
export function containerLogPath(name: string, restartCount: number): string {
  return `${name}/${restartCount}.log`;
}

export function containerConfig(pod: Pod, container: Container, inputs: ContainerInputs): ContainerConfig {
  verifyRunAsNonRoot(pod, container, inputs.imageUser);
  const { command, args } = expandCommand(container, inputs.env);
  return {
    metadata: { name: container.name, attempt: inputs.restartCount },
    image: { image: inputs.imageRef, user_specified_image: container.image ?? '' },
    command,
    args,
    working_dir: container.workingDir ?? '',
    envs: inputs.env.map((kv) => ({ key: kv.key, value: Buffer.from(kv.value, 'utf8') })),
    mounts: inputs.mounts,
    labels: containerLabels(pod, container),
    annotations: containerAnnotations(pod, container, inputs.restartCount, inputs.kind),
    log_path: containerLogPath(container.name, inputs.restartCount),
    stdin: container.stdin === true,
    stdin_once: container.stdinOnce === true,
    tty: container.tty === true,
    linux: {
      resources: containerResources(container, inputs.resources),
      security_context: containerSecurityContext(pod, container, inputs.imageUser),
    },
  };
}
