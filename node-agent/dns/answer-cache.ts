// The cache in front of the upstream resolvers, as CoreDNS's `cache 30` in kubeadm's Corefile:
// answers (success) and NXDOMAIN/NODATA (denial) are kept for their TTL, at most 30 s, and
// handed out with the TTLs aged by the time they spent here. Errors are not kept.
import type { Answer, Packet } from 'dns-packet';

export type CacheKind = 'success' | 'denial';

interface Entry {
  packet: Packet;
  kind: CacheKind;
  storedMs: number;
  expiresMs: number;
}

export interface AnswerCacheOptions {
  /** The longest a record is kept, in seconds (kubeadm: 30). */
  maxTTL: number;
  /** Entries kept; the oldest go first (CoreDNS's default capacity: 9984). */
  capacity: number;
  now?: () => number;
}

export class AnswerCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly opts: AnswerCacheOptions) {
    if (!(opts.maxTTL >= 0) || !(opts.capacity >= 0)) throw new Error(`invalid answer cache options: maxTTL ${opts.maxTTL}, capacity ${opts.capacity}`);
    this.now = opts.now ?? Date.now;
  }

  static key(name: string, type: string, cls = 'IN', dnssecOk = false): string {
    return `${name.toLowerCase().replace(/\.$/, '')}|${type}|${cls}|${dnssecOk ? 1 : 0}`;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached response with its TTLs aged, or undefined. */
  get(key: string): { packet: Packet; kind: CacheKind } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const now = this.now();
    if (now >= e.expiresMs) {
      this.entries.delete(key);
      return undefined;
    }
    const age = Math.floor((now - e.storedMs) / 1000);
    const aged = (rs: Answer[] | undefined) => rs?.map((r) => (r.type === 'OPT' ? r : { ...r, ttl: Math.max(0, (r.ttl ?? 0) - age) })) as Answer[] | undefined;
    return { kind: e.kind, packet: { ...e.packet, answers: aged(e.packet.answers), authorities: aged(e.packet.authorities), additionals: aged(e.packet.additionals) } };
  }

  /**
   * Keeps an upstream response if it is an answer or a denial with a TTL above 0; returns it as
   * kept (TTLs capped), which is what the first asker gets too.
   */
  put(key: string, packet: Packet, rcode: string): Packet {
    const kind = cacheKind(packet, rcode);
    if (!kind) return packet;
    const ttl = Math.min(this.opts.maxTTL, responseTTL(packet, kind));
    if (ttl <= 0 || this.opts.capacity === 0) return packet;
    this.entries.delete(key);
    while (this.entries.size >= this.opts.capacity) this.entries.delete(this.entries.keys().next().value as string);
    const now = this.now();
    // Records are capped to what the cache gives out.
    const cap = (rs: Answer[] | undefined) => rs?.map((r) => (r.type === 'OPT' ? r : { ...r, ttl: Math.min(r.ttl ?? 0, ttl) })) as Answer[] | undefined;
    const kept = { ...packet, answers: cap(packet.answers), authorities: cap(packet.authorities), additionals: cap(packet.additionals) };
    this.entries.set(key, { kind, storedMs: now, expiresMs: now + ttl * 1000, packet: kept });
    return kept;
  }
}

function cacheKind(packet: Packet, rcode: string): CacheKind | undefined {
  if (rcode === 'NXDOMAIN') return 'denial';
  if (rcode !== 'NOERROR') return undefined;
  return (packet.answers ?? []).length > 0 ? 'success' : 'denial';
}

/** The smallest TTL of the answers, or for a denial the SOA's (RFC 2308: min of its TTL and MINIMUM). */
function responseTTL(packet: Packet, kind: CacheKind): number {
  if (kind === 'denial') {
    const soa = (packet.authorities ?? []).find((r) => r.type === 'SOA');
    if (!soa || soa.type !== 'SOA') return 0;
    return Math.min(soa.ttl ?? 0, soa.data.minimum ?? 0);
  }
  let ttl = Infinity;
  for (const r of [...(packet.answers ?? []), ...(packet.authorities ?? [])]) if (r.type !== 'OPT') ttl = Math.min(ttl, r.ttl ?? 0);
  return ttl === Infinity ? 0 : ttl;
}
