// Names outside the cluster go to the node's resolvers, as CoreDNS's `forward . /etc/resolv.conf`
// behind `cache 30`: a cache first; on a miss the upstreams in order (the next one when one
// times out or fails), over UDP and again over TCP when the answer comes back truncated. Equal
// questions in flight at once share one upstream exchange. No upstream left: SERVFAIL.
import { randomInt } from 'node:crypto';
import { decode, encode, RECURSION_DESIRED, type Answer, type DecodedPacket, type Packet, type Question } from 'dns-packet';
import { logger } from '../../lib/log.js';
import { AnswerCache } from './answer-cache.js';
import { tcpExchange, udpExchange, upstreamName, type Upstream } from './exchange.js';
import type { DnsMetrics } from './metrics.js';

const log = logger('dns');

export interface ForwardResult {
  rcode: string;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** What answered: the cache, an upstream, or nobody (SERVFAIL). */
  source: 'cache' | 'forward' | 'none';
}

export interface ForwarderOptions {
  /** The upstreams now (resolv.conf may change under us). */
  upstreams(): readonly Upstream[];
  /** How long one upstream gets before the next is tried (CoreDNS: 2 s dial/read budget). */
  timeoutMs: number;
  cache: AnswerCache;
  metrics?: DnsMetrics;
}

/** The EDNS buffer size we offer upstreams (the DNS flag day 2020 value). */
const ednsSize = 1232;

export class Forwarder {
  private readonly inFlight = new Map<string, Promise<ForwardResult>>();
  private warnedEmpty = false;

  constructor(private readonly opts: ForwarderOptions) {}

  /** Answers `q` from the cache or the upstreams; `dnssecOk` asks upstreams for DNSSEC records. */
  forward(q: Question, dnssecOk = false): ForwardResult | Promise<ForwardResult> {
    const key = AnswerCache.key(q.name, q.type, q.class ?? 'IN', dnssecOk);
    const hit = this.opts.cache.get(key);
    this.opts.metrics?.cacheLookup(hit?.kind);
    if (hit) return { ...sections(hit.packet), rcode: rcodeOf(hit.packet), source: 'cache' };
    let p = this.inFlight.get(key);
    if (!p) {
      p = this.ask(q, dnssecOk, key).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    return p;
  }

  private async ask(q: Question, dnssecOk: boolean, key: string): Promise<ForwardResult> {
    const upstreams = this.opts.upstreams();
    if (upstreams.length === 0) {
      if (!this.warnedEmpty) log.warn({}, 'no upstream resolvers (resolv.conf names none but this server): names outside the cluster get SERVFAIL');
      this.warnedEmpty = true;
      return { rcode: 'SERVFAIL', answers: [], authorities: [], additionals: [], source: 'none' };
    }
    this.warnedEmpty = false;
    for (const to of upstreams) {
      const query = encode({
        type: 'query', id: randomInt(0, 65536), flags: RECURSION_DESIRED, questions: [{ name: q.name, type: q.type, class: q.class ?? 'IN' }],
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: ednsSize, extendedRcode: 0, ednsVersion: 0, flags: dnssecOk ? 0x8000 : 0, flag_do: dnssecOk, options: [] }],
      });
      try {
        let reply = decode(await udpExchange(to, query, this.opts.timeoutMs));
        if (reply.flag_tc) reply = decode(await tcpExchange(to, query, this.opts.timeoutMs));
        if (!sameQuestion(reply, q)) throw new Error('answer is for another question');
        const rcode = rcodeOf(reply);
        this.opts.metrics?.forwarded(upstreamName(to), rcode);
        // SERVFAIL and REFUSED from one upstream: another may do better (CoreDNS does the same).
        if (rcode === 'SERVFAIL' || rcode === 'REFUSED') continue;
        return { ...sections(this.opts.cache.put(key, reply, rcode)), rcode, source: 'forward' };
      } catch (err) {
        this.opts.metrics?.forwarded(upstreamName(to), undefined);
        log.debug({ upstream: upstreamName(to), name: q.name, type: q.type, err: (err as Error).message }, 'upstream failed');
      }
    }
    return { rcode: 'SERVFAIL', answers: [], authorities: [], additionals: [], source: 'forward' };
  }
}

/** The rcode dns-packet decoded (it sets `rcode` beside the flags). */
export function rcodeOf(p: Packet): string {
  return (p as Packet & { rcode?: string }).rcode ?? 'NOERROR';
}

function sections(p: Packet): Pick<ForwardResult, 'answers' | 'authorities' | 'additionals'> {
  return { answers: p.answers ?? [], authorities: p.authorities ?? [], additionals: (p.additionals ?? []).filter((a) => a.type !== 'OPT') };
}

function sameQuestion(reply: DecodedPacket, q: Question): boolean {
  const r = reply.questions?.[0];
  return !!r && r.name.toLowerCase() === q.name.toLowerCase().replace(/\.$/, '') && r.type === q.type;
}
