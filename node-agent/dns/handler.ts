// One DNS request in, one response out (bytes to bytes): cluster names from the records, the
// rest through the forwarder, ExternalName CNAMEs followed, and a UDP response larger than the
// client can take (512 bytes, or its EDNS buffer size) cut to the header and question with TC
// set, so it asks again over TCP. Cluster answers are computed synchronously: no promise on the
// hot path.
import { performance } from 'node:perf_hooks';
import {
  AUTHORITATIVE_ANSWER, CHECKING_DISABLED, decode, encode, RECURSION_AVAILABLE, RECURSION_DESIRED, TRUNCATED_RESPONSE,
  type Answer, type DecodedPacket, type OptAnswer, type Packet, type Question,
} from 'dns-packet';
import { logger } from '../../lib/log.js';
import type { Forwarder, ForwardResult } from './forwarder.js';
import type { LoopProbe } from './loop-probe.js';
import type { DnsMetrics } from './metrics.js';
import type { Answered, ClusterRecords } from './records.js';

const log = logger('dns');

export type Proto = 'udp' | 'tcp';

const rcodes: Record<string, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
/** The UDP size without EDNS (RFC 1035), and the most we send whatever a client offers. */
const classicUdpSize = 512;
const maxUdpSize = 4096;
/** The buffer size we announce in our EDNS record. */
const ednsSize = 1232;
/** CNAMEs followed at most (CoreDNS stops at 8 as well). */
const maxChase = 8;

interface Reply {
  rcode: string;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  authoritative: boolean;
  plugin: string;
}

export class DnsHandler {
  constructor(private readonly records: ClusterRecords, private readonly forwarder: Forwarder, private readonly metrics?: DnsMetrics, private readonly loop?: LoopProbe) {}

  /** Whether `name` may go upstream: not once forwarding was found to loop. */
  private mayForward(name: string): boolean {
    return !this.loop || (!this.loop.observe(name) && !this.loop.detected);
  }

  /** The response to `req`, or undefined when nothing should be sent (a response, or garbage). */
  handle(req: Buffer, proto: Proto, family: 4 | 6 = 4): Buffer | undefined | Promise<Buffer | undefined> {
    const started = performance.now();
    let query: DecodedPacket;
    try {
      query = decode(req);
    } catch {
      // Unparseable: a header is enough to say FORMERR; less than a header gets nothing.
      return req.length >= 12 && !(req[2] & 0x80) ? headerOnly(req, rcodes.FORMERR) : undefined;
    }
    if (query.flag_qr) return undefined;
    const opcode = (query.flags ?? 0) >> 11 & 0xf;
    const q = query.questions?.[0];
    if (opcode !== 0) return this.finish(query, proto, started, errorReply('NOTIMP'));
    if (!q || query.questions!.length !== 1) return this.finish(query, proto, started, errorReply('FORMERR'));
    this.metrics?.request(proto, family, q.type);
    if ((q.class ?? 'IN') !== 'IN' && q.class !== 'ANY') return this.finish(query, proto, started, errorReply('REFUSED'));
    const r = this.records.resolve(q.name, q.type);
    if (r.kind === 'answer' && !r.chase) return this.finish(query, proto, started, clusterReply(r));
    return this.slowPath(query, q, r.kind === 'answer' ? r : undefined, proto, started);
  }

  /** Forwarded names and ExternalName CNAMEs: may wait on upstreams. */
  private async slowPath(query: DecodedPacket, q: Question, cluster: Answered | undefined, proto: Proto, started: number): Promise<Buffer> {
    const dnssecOk = edns(query)?.flag_do === true;
    try {
      if (!cluster) {
        if (!this.mayForward(q.name)) return this.finish(query, proto, started, errorReply('SERVFAIL'));
        const f = await this.forwarder.forward(q, dnssecOk);
        return this.finish(query, proto, started, forwardReply(f));
      }
      // Follow the CNAME chain: inside the cluster here, outside through the forwarder.
      const answers = [...cluster.answers];
      let rcode = cluster.rcode;
      let authorities = cluster.authorities;
      let target = cluster.chase;
      for (let i = 0; target && i < maxChase; i++) {
        const next = this.records.resolve(target, q.type);
        if (next.kind === 'answer') {
          answers.push(...next.answers);
          ({ rcode, authorities } = next);
          target = next.chase;
          continue;
        }
        if (!this.mayForward(target)) break;
        const f = await this.forwarder.forward({ name: target, type: q.type, class: 'IN' }, dnssecOk);
        // The CNAME stands even when upstream cannot resolve its target (the client may).
        if (f.rcode === 'NOERROR' || f.rcode === 'NXDOMAIN') {
          answers.push(...f.answers);
          ({ rcode, authorities } = f);
        }
        break;
      }
      return this.finish(query, proto, started, { rcode, answers, authorities, additionals: [], authoritative: true, plugin: 'kubernetes' });
    } catch (err) {
      log.warn({ name: q.name, type: q.type, err: (err as Error).message }, 'answer failed');
      return this.finish(query, proto, started, errorReply('SERVFAIL'));
    }
  }

  private finish(query: DecodedPacket, proto: Proto, started: number, reply: Reply): Buffer {
    const q = query.questions?.[0];
    this.metrics?.response(reply.rcode, reply.plugin, q?.type ?? 'other', (performance.now() - started) / 1000);
    const clientEdns = edns(query);
    const opt: OptAnswer[] = clientEdns
      ? [{ type: 'OPT', name: '.', udpPayloadSize: ednsSize, extendedRcode: 0, ednsVersion: 0, flags: clientEdns.flag_do ? 0x8000 : 0, flag_do: clientEdns.flag_do, options: [] }]
      : [];
    let flags = RECURSION_AVAILABLE | ((query.flags ?? 0) & (RECURSION_DESIRED | CHECKING_DISABLED)) | (rcodes[reply.rcode] ?? rcodes.SERVFAIL);
    if (reply.authoritative) flags |= AUTHORITATIVE_ANSWER;
    const packet: Packet = {
      type: 'response', id: query.id, flags, questions: query.questions ?? [],
      answers: reply.answers, authorities: reply.authorities, additionals: opt.length ? [...reply.additionals, ...opt] : reply.additionals,
    };
    const full = encode(packet);
    if (proto === 'tcp') return full;
    const limit = clientEdns ? Math.min(Math.max(clientEdns.udpPayloadSize, classicUdpSize), maxUdpSize) : classicUdpSize;
    if (full.length <= limit) return full;
    // Too big for this client over UDP: header and question only, TC set; it asks again over TCP.
    return encode({ ...packet, flags: flags | TRUNCATED_RESPONSE, answers: [], authorities: [], additionals: opt });
  }
}

function edns(p: DecodedPacket): OptAnswer | undefined {
  return p.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
}

function clusterReply(r: Answered): Reply {
  return { rcode: r.rcode, answers: r.answers, authorities: r.authorities, additionals: r.additionals, authoritative: true, plugin: 'kubernetes' };
}

function forwardReply(f: ForwardResult): Reply {
  return { rcode: f.rcode, answers: f.answers, authorities: f.authorities, additionals: f.additionals, authoritative: false, plugin: f.source === 'none' ? '' : f.source };
}

function errorReply(rcode: string): Reply {
  return { rcode, answers: [], authorities: [], additionals: [], authoritative: false, plugin: '' };
}

/** A response that is only the request's header with QR, an rcode and no records. */
function headerOnly(req: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  req.copy(out, 0, 0, 2);
  // QR=1, opcode and RD copied, RA=1, the rcode.
  out.writeUInt16BE(0x8000 | (req.readUInt16BE(2) & 0x7900) | RECURSION_AVAILABLE | rcode, 2);
  return out;
}
