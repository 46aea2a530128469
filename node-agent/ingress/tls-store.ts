// Certificates for the HTTPS listener, chosen by SNI: the `kubernetes.io/tls` Secrets that served
// Ingresses name (read one by one with the node's identity: the Node authorizer lets a node get
// exactly the Secrets named in the tls section of an Ingress of a class k8ts serves), re-read
// every poll so a renewed certificate is served without a restart, and a default certificate
// (self-signed, made once per node) for names no Ingress covers.
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from '../../lib/log.js';
import type { Secret } from '../kube-types.js';
import { tlsSecretFor, type RouteTable } from './route-table.js';

interface Loaded {
  /** tls.crt + tls.key as read: a Secret whose data did not change keeps its context. */
  material: string;
  context?: SecureContext;
}

export class TlsStore {
  private readonly loaded = new Map<string, Loaded>();
  readonly defaultContext: SecureContext;

  constructor(private readonly read: (namespace: string, name: string) => Promise<Secret | undefined>, defaultCert: { cert: string; key: string }, private readonly log: Logger) {
    this.defaultContext = createSecureContext(defaultCert);
  }

  /** The context for a TLS server name under these routes. */
  contextFor(routes: RouteTable, serverName: string | undefined): SecureContext {
    const secret = serverName ? tlsSecretFor(routes, serverName) : undefined;
    return (secret && this.loaded.get(secret)?.context) || this.defaultContext;
  }

  /** Reads the Secrets wanted ("namespace/name") and forgets the others. */
  async refresh(wanted: ReadonlySet<string>): Promise<void> {
    for (const key of this.loaded.keys()) if (!wanted.has(key)) this.loaded.delete(key);
    await Promise.all([...wanted].map(async (key) => {
      const [ns, name] = key.split('/');
      let secret: Secret | undefined;
      try {
        secret = await this.read(ns, name);
      } catch (err) {
        // Keep serving what we had: an API server that went away does not take certificates with it.
        this.log.warn({ secret: key, err: (err as Error).message }, 'cannot read TLS secret; the last one read stays in use');
        return;
      }
      const crt = secret?.data?.['tls.crt'];
      const tlsKey = secret?.data?.['tls.key'];
      const material = crt && tlsKey ? `${crt}\n${tlsKey}` : '';
      const before = this.loaded.get(key);
      if (before && before.material === material) return;
      if (!material) {
        if (before?.material !== '') this.log.warn({ secret: key }, secret ? 'TLS secret has no tls.crt and tls.key: the default certificate answers for its hosts' : 'TLS secret not found: the default certificate answers for its hosts');
        this.loaded.set(key, { material: '' });
        return;
      }
      try {
        const context = createSecureContext({ cert: Buffer.from(crt!, 'base64'), key: Buffer.from(tlsKey!, 'base64') });
        this.loaded.set(key, { material, context });
        this.log.info({ secret: key, change: before ? 'updated' : 'loaded' }, 'TLS certificate in use');
      } catch (err) {
        this.log.warn({ secret: key, err: (err as Error).message }, 'TLS secret holds no usable certificate and key: the default certificate answers for its hosts');
        this.loaded.set(key, { material });
      }
    }));
  }
}
