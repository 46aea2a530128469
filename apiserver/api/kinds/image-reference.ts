// The tag of a container image reference, as Kubernetes reads it to default imagePullPolicy
// (parsers.ParseImageName over the docker reference grammar): untagged means "latest".

const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])`;
const name = `(?:${host}(?::[0-9]+)?/)?${pathComponent}(?:/${pathComponent})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const reference = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);
const identifier = /^[a-f0-9]{64}$/;

export interface ImageReference {
  name: string;
  tag: string;
  digest: string;
}

/** Parses an image reference; undefined when it is not one (Kubernetes then ignores the error). */
export function parseImageReference(image: string): ImageReference | undefined {
  if (identifier.test(image)) return undefined;
  const m = reference.exec(image);
  if (!m) return undefined;
  const [, repo, t = '', d = ''] = m;
  // The path after a registry host must be lowercase ("repository name must be lowercase").
  const slash = repo.indexOf('/');
  const first = slash < 0 ? '' : repo.slice(0, slash);
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  const remainder = hasDomain ? repo.slice(slash + 1) : repo;
  if (remainder !== remainder.toLowerCase() || repo.length > 255) return undefined;
  return { name: repo, tag: t || (d ? '' : 'latest'), digest: d };
}

/** The pull policy Kubernetes defaults to: Always for :latest (or no tag), else IfNotPresent. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return parseImageReference(image)?.tag === 'latest' ? 'Always' : 'IfNotPresent';
}
