// Making sure a container's image is there, as kubelet's image manager does: honour the pull
// policy, pull with the pod's imagePullSecrets (best-matching credentials first), back off after
// failures, and record Pulling/Pulled/Failed/BackOff events with kubelet's wording.
import { logger } from '../../lib/log.js';
import type { CriClient } from '../cri/index.js';
import { isCriError } from '../cri/index.js';
import type { AuthConfig, PodSandboxConfig } from '../cri/types.js';
import type { Container, Pod, Secret } from '../kube-types.js';
import { Backoff, IMAGE_BACKOFF } from '../pods/backoff.js';
import type { PodEvents } from '../pods/pod-events.js';
import { goDuration } from './go-duration.js';
import { credentialsFor } from './pull-secrets.js';
import type { ImageUser } from './security-context.js';

const log = logger('image-manager');

/** A start failure the pod status shows as a waiting reason (ErrImagePull, ImagePullBackOff, ...). */
export class StartError extends Error {
  override readonly name = 'StartError';
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

/** The API server's default: Always for `:latest` or untagged images, else IfNotPresent. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

export interface EnsuredImage {
  /** The image ID to create the container from. */
  imageRef: string;
  user: ImageUser;
}

export class ImageManager {
  private readonly backoff: Backoff;
  /** One pull per image and credentials at a time; others wait for it. */
  private readonly inflight = new Map<string, Promise<{ ref: string; ms: number }>>();

  constructor(private readonly cri: CriClient, private readonly events: PodEvents, now: () => number = Date.now) {
    this.backoff = new Backoff(IMAGE_BACKOFF.initialMs, IMAGE_BACKOFF.maxMs, now);
  }

  /** The image's ID and user, or undefined when it is not on the node. */
  async present(image: string): Promise<EnsuredImage | undefined> {
    const st = await this.cri.image.imageStatus({ image });
    if (!st.image) return undefined;
    const uid = st.image.uid ? Number(st.image.uid.value) : undefined;
    return { imageRef: st.image.id, user: { uid, username: st.image.username || undefined } };
  }

  async ensure(pod: Pod, container: Container, pullSecrets: Secret[], sandbox: PodSandboxConfig): Promise<EnsuredImage> {
    const image = container.image ?? '';
    if (!image) throw new StartError('InvalidImageName', 'Failed to apply default image tag "": couldn\'t parse image name "": invalid reference format');
    const policy = container.imagePullPolicy ?? defaultPullPolicy(image);
    const present = policy === 'Always' ? undefined : await this.present(image);
    if (policy !== 'Always') {
      if (present) {
        this.events.container(pod, container, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
        return present;
      }
      if (policy === 'Never') {
        const msg = `Container image "${image}" is not present with pull policy of Never`;
        this.events.container(pod, container, 'Warning', 'ErrImageNeverPull', msg);
        throw new StartError('ErrImageNeverPull', msg);
      }
    }
    const key = `${pod.metadata?.uid}_${image}`;
    if (this.backoff.isInBackOffSinceUpdate(key)) {
      const msg = `Back-off pulling image "${image}"`;
      this.events.container(pod, container, 'Normal', 'BackOff', msg);
      throw new StartError('ImagePullBackOff', msg);
    }
    this.events.container(pod, container, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const t0 = performance.now();
    try {
      const { ref, ms } = await this.pull(image, credentialsFor(image, pullSecrets).map((c) => c.auth), sandbox);
      const st = await this.cri.image.imageStatus({ image: ref });
      const size = st.image?.size ?? '0';
      const total = performance.now() - t0;
      this.events.container(pod, container, 'Normal', 'Pulled',
        `Successfully pulled image "${image}" in ${goDuration(ms)} (${goDuration(total)} including waiting). Image size: ${size} bytes.`);
      this.backoff.gc();
      const uid = st.image?.uid ? Number(st.image.uid.value) : undefined;
      return { imageRef: ref, user: { uid, username: st.image?.username || undefined } };
    } catch (err) {
      const message = isCriError(err) ? `rpc error: code = ${err.code} desc = ${err.details}` : (err as Error).message;
      this.events.container(pod, container, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`);
      this.backoff.next(key, Date.now());
      log.info({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, image, err: message }, 'image pull failed');
      throw new StartError('ErrImagePull', message);
    }
  }

  private pull(image: string, auths: AuthConfig[], sandbox: PodSandboxConfig): Promise<{ ref: string; ms: number }> {
    const key = `${image}\0${JSON.stringify(auths)}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.pullWithCredentials(image, auths, sandbox).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  /** Tries each matching credential in turn, then anonymously when none match. */
  private async pullWithCredentials(image: string, auths: AuthConfig[], sandbox: PodSandboxConfig): Promise<{ ref: string; ms: number }> {
    const t0 = performance.now();
    let last: unknown;
    for (const auth of auths.length ? auths : [undefined]) {
      try {
        const ref = await this.cri.image.pullImage({ image }, auth, sandbox);
        return { ref, ms: performance.now() - t0 };
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }

  /** Forgets a pod's pull backoff (the pod is gone). */
  forgetPod(uid: string): void {
    this.backoff.resetPrefix(`${uid}_`);
  }
}
