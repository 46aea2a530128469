// The DNS server over real sockets on 127.0.0.1, against caches filled with fake objects and a
// fake upstream resolver on loopback (no traffic leaves the host).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode, type DecodedPacket, type Packet } from 'dns-packet';
import { ObjectCache } from '../../lib/client/cache.js';
import type { EndpointSlice, Service } from '../kube-types.js';
import { startClusterDns, type RunningClusterDns } from './cluster-dns.js';
import { frame, tcpExchange, TcpFrames, udpExchange, type Upstream } from './exchange.js';
import { rcodeOf } from './forwarder.js';

let nextId = 1;
async function ask(to: Upstream, name: string, type: string, proto: 'udp' | 'tcp' = 'udp', extra: Partial<Packet> = {}, timeoutMs = 2000): Promise<DecodedPacket> {
  const q = encode({ type: 'query', id: nextId++, flags: 0x100, questions: [{ name, type: type as 'A', class: 'IN' }], ...extra });
  return decode(proto === 'udp' ? await udpExchange(to, q, timeoutMs) : await tcpExchange(to, q, timeoutMs));
}

/** A fake upstream on 127.0.0.1 (UDP and TCP on one port) answering from `zone`, counting questions. */
class FakeUpstream {
  udp!: Socket;
  tcp!: Server;
  port = 0;
  asked: string[] = [];
  /** Answer over UDP with TC set and no records (the real answer over TCP). */
  truncateUdp = false;

  constructor(private readonly zone: Record<string, string[]>) {}

  private answer(msg: Buffer, truncate: boolean): Buffer {
    const q = decode(msg);
    const question = q.questions![0];
    // The server's loop probe (a random name, once at start) is not what the tests count.
    if (!question.name.endsWith('.k8ts-loop-check')) this.asked.push(`${question.name}/${question.type}`);
    const ips = this.zone[question.name.toLowerCase()];
    const flags = 0x8000 | 0x80 | (ips ? 0 : 3) | (truncate ? 0x200 : 0);
    return encode({
      type: 'response', id: q.id, flags, questions: q.questions,
      answers: truncate || !ips ? [] : ips.map((ip) => ({ name: question.name, type: 'A' as const, ttl: 60, data: ip })),
      authorities: ips ? [] : [{ name: 'example', type: 'SOA', ttl: 20, data: { mname: 'ns.example', rname: 'h.example', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 15 } }],
    });
  }

  async start(host = '127.0.0.1', port = 0): Promise<Upstream> {
    this.udp = createSocket('udp4');
    this.udp.on('message', (msg, r) => this.udp.send(this.answer(msg, this.truncateUdp), r.port, r.address));
    await new Promise<void>((resolve, reject) => {
      this.udp.once('error', reject);
      this.udp.bind(port, host, resolve);
    });
    this.port = this.udp.address().port;
    this.tcp = createServer((c) => {
      const frames = new TcpFrames();
      c.on('data', (d) => {
        for (const m of frames.push(d)) c.write(frame(this.answer(m, false)));
      });
    });
    await new Promise<void>((resolve) => this.tcp.listen(this.port, host, resolve));
    return { host, port: this.port };
  }

  async stop(): Promise<void> {
    this.udp.close();
    await new Promise((resolve) => this.tcp.close(resolve));
  }
}

function world() {
  const services = new ObjectCache<Service>();
  const slices = new ObjectCache<EndpointSlice>();
  services.set({ metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'], ports: [{ name: 'http', port: 80 }] } });
  services.set({ metadata: { namespace: 'default', name: 'big' }, spec: { clusterIP: 'None' } });
  // 60 endpoints: 60 A records (16 bytes each with compression) exceed 512 bytes.
  slices.set({
    metadata: { namespace: 'default', name: 'big-1', labels: { 'kubernetes.io/service-name': 'big' } }, addressType: 'IPv4',
    endpoints: Array.from({ length: 60 }, (_, i) => ({ addresses: [`10.42.0.${i + 1}`] })),
  });
  services.set({ metadata: { namespace: 'default', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'www.example.com' } });
  return { services, slices };
}

describe('cluster DNS server', () => {
  const upstream = new FakeUpstream({ 'www.example.com': ['192.0.2.10'], 'big.example.com': ['192.0.2.11'] });
  let dns: RunningClusterDns;
  let at: Upstream;

  before(async () => {
    const up = await upstream.start();
    dns = await startClusterDns({ ...world(), domain: 'cluster.local', clusterDNS: ['10.43.0.10'], addresses: ['127.0.0.1'], port: 0, metricsPort: 0, resolvConf: '/nonexistent', upstreams: [up] });
    at = dns.addresses[0];
  });
  after(async () => {
    await dns.stop();
    await upstream.stop();
  });

  test('answers cluster names over UDP and TCP, authoritative, TTL 30', async () => {
    for (const proto of ['udp', 'tcp'] as const) {
      const r = await ask(at, 'Web.Default.SVC.cluster.local', 'A', proto);
      assert.equal(rcodeOf(r), 'NOERROR');
      assert.ok(r.flag_aa && r.flag_ra && r.flag_rd);
      assert.deepEqual(r.answers?.map((a) => [a.type, 'data' in a ? a.data : '', 'ttl' in a ? a.ttl : 0]), [['A', '10.43.0.20', 30]]);
    }
    const nx = await ask(at, 'nope.default.svc.cluster.local', 'A');
    assert.equal(rcodeOf(nx), 'NXDOMAIN');
    assert.equal(nx.authorities?.[0].type, 'SOA');
  });

  test('a UDP answer over 512 bytes comes back truncated (TC, no records); TCP carries it whole', async () => {
    const udp = await ask(at, 'big.default.svc.cluster.local', 'A', 'udp');
    assert.equal(udp.flag_tc, true);
    assert.equal(udp.answers?.length, 0);
    const tcp = await ask(at, 'big.default.svc.cluster.local', 'A', 'tcp');
    assert.equal(tcp.flag_tc, false);
    assert.equal(tcp.answers?.length, 60);
    // A client offering a 4096-byte EDNS buffer gets it over UDP.
    const edns = await ask(at, 'big.default.svc.cluster.local', 'A', 'udp', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] });
    assert.equal(edns.flag_tc, false);
    assert.equal(edns.answers?.length, 60);
    assert.ok(edns.additionals?.some((a) => a.type === 'OPT'), 'EDNS answered with EDNS');
  });

  test('forwards other names to the upstream and caches them (one upstream question for two asks)', async () => {
    const before = upstream.asked.length;
    const a = await ask(at, 'www.example.com', 'A');
    const b = await ask(at, 'WWW.example.COM', 'A');
    for (const r of [a, b]) {
      assert.equal(rcodeOf(r), 'NOERROR');
      assert.equal(r.flag_aa, false);
      assert.deepEqual(r.answers?.map((x) => 'data' in x && x.data), ['192.0.2.10']);
      // Capped to the cache's 30 s.
      assert.ok(r.answers!.every((x) => 'ttl' in x && x.ttl! <= 30));
    }
    assert.equal(upstream.asked.length - before, 1);
    const nx = await ask(at, 'missing.example.com', 'A');
    assert.equal(rcodeOf(nx), 'NXDOMAIN');
  });

  test('an upstream answer truncated over UDP is asked again over TCP', async () => {
    upstream.truncateUdp = true;
    try {
      const r = await ask(at, 'big.example.com', 'A', 'udp');
      assert.deepEqual(r.answers?.map((x) => 'data' in x && x.data), ['192.0.2.11']);
      assert.equal(r.flag_tc, false);
    } finally {
      upstream.truncateUdp = false;
    }
  });

  test('an ExternalName Service is a CNAME with the target resolved upstream', async () => {
    const r = await ask(at, 'ext.default.svc.cluster.local', 'A');
    assert.deepEqual(r.answers?.map((x) => [x.type, 'data' in x && x.data]), [['CNAME', 'www.example.com'], ['A', '192.0.2.10']]);
  });

  test('garbage gets FORMERR or nothing, and the server keeps answering', async () => {
    const sock = createSocket('udp4');
    const got = new Promise<Buffer>((resolve) => sock.once('message', resolve));
    // A header claiming a question that is not there.
    sock.send(Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xff]), at.port, at.host);
    const reply = await got;
    sock.close();
    assert.equal(reply.readUInt16BE(0), 0x1234);
    assert.equal(reply.readUInt16BE(2) & 0xf, 1, 'FORMERR');
    assert.equal(rcodeOf(await ask(at, 'web.default.svc.cluster.local', 'A')), 'NOERROR');
  });

  test('serves CoreDNS metrics on /metrics', async () => {
    const res = await fetch(`http://127.0.0.1:${dns.metricsPorts[0]}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /^coredns_dns_requests_total\{family="1",proto="udp",server="dns:\/\/127\.0\.0\.1:0",type="A",view="",zone="\."\} \d+$/m);
    assert.match(text, /^coredns_dns_responses_total\{plugin="kubernetes",rcode="NXDOMAIN",server="[^"]+",view="",zone="\."\} [1-9]\d*$/m);
    assert.match(text, /^coredns_cache_hits_total\{server="[^"]+",type="success",view="",zone="\."\} [1-9]\d*$/m);
    assert.match(text, /^coredns_cache_misses_total\{server="[^"]+",view="",zone="\."\} [1-9]\d*$/m);
    assert.match(text, /^coredns_dns_request_duration_seconds_bucket\{server="[^"]+",type="A",view="",zone="\.",le="0\.00025"\} \d+$/m);
    assert.equal((await fetch(`http://127.0.0.1:${dns.metricsPorts[0]}/other`)).status, 404);
  });
});

describe('forwarding without a usable upstream', () => {
  test('no upstream at all is SERVFAIL at once', async () => {
    const dns = await startClusterDns({ ...world(), domain: 'cluster.local', clusterDNS: [], addresses: ['127.0.0.1'], port: 0, resolvConf: '/nonexistent', upstreams: [] });
    try {
      const started = Date.now();
      assert.equal(rcodeOf(await ask(dns.addresses[0], 'www.example.com', 'A')), 'SERVFAIL');
      assert.ok(Date.now() - started < 500);
    } finally {
      await dns.stop();
    }
  });

  test('an upstream that does not answer is passed over for the next', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const good = new FakeUpstream({ 'www.example.com': ['192.0.2.10'] });
    const up = await good.start();
    const dns = await startClusterDns({
      ...world(), domain: 'cluster.local', clusterDNS: [], addresses: ['127.0.0.1'], port: 0, resolvConf: '/nonexistent',
      upstreams: [{ host: '127.0.0.1', port: silent.address().port }, up],
    });
    try {
      // The silent one has 2 s (CoreDNS's read timeout) before the next is asked.
      const r = await ask(dns.addresses[0], 'www.example.com', 'A', 'tcp', {}, 5000);
      assert.deepEqual(r.answers?.map((x) => 'data' in x && x.data), ['192.0.2.10']);
    } finally {
      await dns.stop();
      silent.close();
      await good.stop();
    }
  });
});

describe('upstreams from resolv.conf', () => {
  // resolv.conf has no ports: the fake upstream must be on port 53, of a loopback address of its own.
  test('the node resolv.conf resolvers are used, the cluster DNS IP in it skipped', { skip: process.getuid?.() === 0 ? false : 'binding port 53 needs root' }, async () => {
    const fake = new FakeUpstream({ 'www.example.com': ['192.0.2.10'] });
    await fake.start('127.0.0.153', 53);
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-dns-resolv-'));
    const resolvConf = join(dir, 'resolv.conf');
    writeFileSync(resolvConf, '# as a node might have it\nnameserver 10.43.0.10\nnameserver 127.0.0.153\nsearch example.invalid\n');
    const dns = await startClusterDns({ ...world(), domain: 'cluster.local', clusterDNS: ['10.43.0.10'], addresses: ['127.0.0.1'], port: 0, resolvConf });
    try {
      const r = await ask(dns.addresses[0], 'www.example.com', 'A');
      assert.deepEqual(r.answers?.map((x) => 'data' in x && x.data), ['192.0.2.10']);
      assert.deepEqual(fake.asked, ['www.example.com/A']);
    } finally {
      await dns.stop();
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('forwarding loops', () => {
  test('an upstream that sends questions back to us is found by the loop probe, and forwarding stops with SERVFAIL', async () => {
    // A resolver that forwards everything to our server: the loop CoreDNS's `loop` plugin finds.
    const looping = createSocket('udp4');
    await new Promise<void>((resolve) => looping.bind(0, '127.0.0.1', resolve));
    let target: Upstream | undefined;
    let relayed = 0;
    looping.on('message', (msg, from) => {
      if (!target) return;
      relayed++;
      udpExchange(target, msg, 3000).then((answer) => looping.send(answer, from.port, from.address), () => undefined);
    });
    const dns = await startClusterDns({
      ...world(), domain: 'cluster.local', clusterDNS: [], addresses: ['127.0.0.1'], port: 0, resolvConf: '/nonexistent',
      upstreams: [{ host: '127.0.0.1', port: looping.address().port }],
    });
    try {
      // Set before the relay's first datagram is handled (that is an I/O callback, this a microtask).
      target = dns.addresses[0];
      // The probe goes round once; back here, it is the loop, and is not forwarded again.
      const deadline = Date.now() + 5000;
      while (relayed < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(relayed, 1, 'the probe went round once, and no more');
      // Forwarding is off: SERVFAIL at once, nothing sent upstream.
      const started = Date.now();
      assert.equal(rcodeOf(await ask(dns.addresses[0], 'www.example.com', 'A')), 'SERVFAIL');
      assert.ok(Date.now() - started < 500);
      assert.equal(relayed, 1);
      // Cluster names still answer.
      assert.equal(rcodeOf(await ask(dns.addresses[0], 'web.default.svc.cluster.local', 'A')), 'NOERROR');
    } finally {
      await dns.stop();
      looping.close();
    }
  });
});
