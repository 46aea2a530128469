// Certificates for the HTTPS listener, chosen by SNI: the `kubernetes.io/tls` Secrets that served
// Ingresses name, and a default certificate (self-signed, made once per node) for names no
// Ingress covers. Each Secret is watched on its own (list+watch with fieldSelector
// metadata.name=<name>: the Node authorizer lets a node read exactly the Secrets named in the tls
// section of an Ingress of a class k8ts serves, one at a time), so a renewed certificate is
// served within moments of its update, without a restart and without polling.
import { createSecureContext, type SecureContext } from 'node:tls';
import { Informer, type ListWatch } from '../../lib/client/informer.js';
import type { Logger } from '../../lib/log.js';
import type { Secret } from '../kube-types.js';
import { tlsSecretFor, type RouteTable } from './route-table.js';

interface Loaded {
  /** tls.crt + tls.key as read: a Secret whose data did not change keeps its context. */
  material: string;
  context?: SecureContext;
}

interface Watched {
  stop: AbortController;
  synced: Promise<boolean>;
}

/** The list+watch of one Secret ("namespace", "name"). */
export type SecretSource = (namespace: string, name: string) => ListWatch<Secret>;

/** How long a rebuild of the routes waits for a new Secret's first read before going on without it. */
const FIRST_READ_WAIT_MS = 3_000;

export class TlsStore {
  private readonly loaded = new Map<string, Loaded>();
  private readonly watched = new Map<string, Watched>();
  readonly defaultContext: SecureContext;

  constructor(private readonly source: SecretSource, defaultCert: { cert: string; key: string }, private readonly log: Logger) {
    this.defaultContext = createSecureContext(defaultCert);
  }

  /** The context for a TLS server name under these routes. */
  contextFor(routes: RouteTable, serverName: string | undefined): SecureContext {
    const secret = serverName ? tlsSecretFor(routes, serverName) : undefined;
    return (secret && this.loaded.get(secret)?.context) || this.defaultContext;
  }

  /**
   * Watches the Secrets wanted ("namespace/name") and stops watching the others. Resolves once
   * each new one has been read (or could not be in a few seconds: the default certificate
   * answers for its hosts until it is).
   */
  async watch(wanted: ReadonlySet<string>): Promise<void> {
    for (const [key, w] of this.watched) {
      if (wanted.has(key)) continue;
      w.stop.abort();
      this.watched.delete(key);
      this.loaded.delete(key);
    }
    const fresh = [...wanted].filter((key) => !this.watched.has(key)).map((key) => this.start(key));
    if (fresh.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, FIRST_READ_WAIT_MS)));
    await Promise.race([Promise.all(fresh), timeout]);
    clearTimeout(timer);
  }

  /** Stops every watch. */
  stop(): void {
    for (const w of this.watched.values()) w.stop.abort();
    this.watched.clear();
  }

  private start(key: string): Promise<boolean> {
    const [ns, name] = key.split('/') as [string, string];
    const stop = new AbortController();
    // A Secret named by an Ingress the server's authorizer has not seen yet is refused for a
    // moment: retry soon rather than after the informers' usual backoff.
    const informer = new Informer(this.source(ns, name), { name: `tls-secret ${key}`, backoffMs: [200, 5_000] });
    informer.on({
      add: (s) => this.load(key, s),
      update: (_old, s) => this.load(key, s),
      delete: () => this.load(key, undefined),
    });
    void informer.run(stop.signal);
    const synced = informer.waitForSync(stop.signal).then((ok) => {
      // Listed and absent: say so once, the default certificate answers meanwhile.
      if (ok && informer.cache.list().length === 0) this.load(key, undefined);
      return ok;
    });
    this.watched.set(key, { stop, synced });
    return synced;
  }

  private load(key: string, secret: Secret | undefined): void {
    if (!this.watched.has(key)) return;
    const crt = secret?.data?.['tls.crt'];
    const tlsKey = secret?.data?.['tls.key'];
    const material = crt && tlsKey ? `${crt}\n${tlsKey}` : '';
    const before = this.loaded.get(key);
    if (before && before.material === material) return;
    if (!material) {
      this.log.warn({ secret: key }, secret ? 'TLS secret has no tls.crt and tls.key: the default certificate answers for its hosts' : 'TLS secret not found: the default certificate answers for its hosts');
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
  }
}
