// imagePullSecrets to CRI credentials, like kubelet's credential keyring: docker config
// entries ("registry.example.com", "https://index.docker.io/v1/", "*.corp.io/team") match an
// image by host (globs allowed) and path prefix; the longest match is tried first.
import { normalizeImage } from '../../lib/image-name.js';
import type { AuthConfig } from '../cri/types.js';
import type { Secret } from '../kube-types.js';

interface DockerConfigEntry {
  username?: string;
  password?: string;
  auth?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export interface Credential {
  /** The docker config key it came from, normalized (`host[/path]`). */
  location: string;
  auth: AuthConfig;
}

/** docker.io's many spellings, as the keyring treats them. */
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** `https://index.docker.io/v1/` -> `docker.io`; `host:5000/team/` -> `host:5000/team`. */
export function normalizeLocation(key: string): string {
  let s = key.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  s = s.replace(/\/v[12]$/, '');
  const slash = s.indexOf('/');
  const host = slash < 0 ? s : s.slice(0, slash);
  const rest = slash < 0 ? '' : s.slice(slash);
  return (DOCKER_HUB.has(host.toLowerCase()) ? 'docker.io' : host.toLowerCase()) + rest;
}

function decode(b64: string): string {
  return Buffer.from(b64, 'base64').toString('utf8');
}

/** Entries of a dockerconfigjson or dockercfg Secret; other types and bad JSON give none. */
export function secretEntries(secret: Secret): Record<string, DockerConfigEntry> {
  const data = secret.data ?? {};
  try {
    if (secret.type === 'kubernetes.io/dockerconfigjson' && data['.dockerconfigjson']) {
      return (JSON.parse(decode(data['.dockerconfigjson'])) as { auths?: Record<string, DockerConfigEntry> }).auths ?? {};
    }
    if (secret.type === 'kubernetes.io/dockercfg' && data['.dockercfg']) {
      return JSON.parse(decode(data['.dockercfg'])) as Record<string, DockerConfigEntry>;
    }
  } catch {
    // A malformed secret contributes no credentials (kubelet logs and skips it).
  }
  return {};
}

function toAuth(e: DockerConfigEntry): AuthConfig {
  let { username = '', password = '' } = e;
  if (!username && !password && e.auth) {
    const plain = decode(e.auth);
    const i = plain.indexOf(':');
    username = i < 0 ? plain : plain.slice(0, i);
    password = i < 0 ? '' : plain.slice(i + 1);
  }
  // No server_address: containerd resolves the registry from the image reference, and parses a
  // bare "host:port" here as a broken URL (kubelet's keyring leaves it empty too).
  const auth: AuthConfig = { username, password };
  if (e.identitytoken) auth.identity_token = e.identitytoken;
  if (e.registrytoken) auth.registry_token = e.registrytoken;
  return auth;
}

function hostMatches(pattern: string, host: string): boolean {
  if (!pattern.includes('*')) return pattern === host;
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^.]*') + '$');
  return re.test(host);
}

/** `docker.io/library/busybox` for `busybox:1.36`: the repository an image is pulled from. */
export function imageRepository(image: string): string {
  const full = normalizeImage(image).replace(/@.*$/, '');
  const lastSlash = full.lastIndexOf('/');
  const colon = full.lastIndexOf(':');
  return colon > lastSlash ? full.slice(0, colon) : full;
}

/** Credentials for an image from the pod's pull secrets, best match first. */
export function credentialsFor(image: string, secrets: Secret[]): Credential[] {
  const repo = imageRepository(image);
  const slash = repo.indexOf('/');
  const host = repo.slice(0, slash);
  const path = repo.slice(slash);
  const found: Credential[] = [];
  for (const s of secrets) {
    for (const [key, entry] of Object.entries(secretEntries(s))) {
      const location = normalizeLocation(key);
      const i = location.indexOf('/');
      const locHost = i < 0 ? location : location.slice(0, i);
      const locPath = i < 0 ? '' : location.slice(i);
      if (!hostMatches(locHost, host)) continue;
      if (locPath && !(path === locPath || path.startsWith(locPath + '/'))) continue;
      found.push({ location, auth: toAuth(entry) });
    }
  }
  return found.sort((a, b) => b.location.length - a.location.length);
}
