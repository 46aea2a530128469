import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConntrack, staleFlows } from './conntrack.js';
import type { ProxyServicePort } from './service-ports.js';

// As conntrack-tools 1.4.7 prints them: a DNATed flow, one that never got a DNAT, an unrelated one.
const listing = `udp      17 29 src=10.42.0.9 dst=10.43.0.10 sport=40001 dport=53 src=10.42.0.5 dst=10.42.0.9 sport=5353 dport=40001 mark=0 use=1
udp      17 28 src=10.42.0.9 dst=10.43.0.10 sport=40002 dport=53 [UNREPLIED] src=10.43.0.10 dst=10.42.0.9 sport=53 dport=40002 mark=0 use=1
udp      17 27 src=10.42.0.9 dst=10.42.0.7 sport=40003 dport=53 src=10.42.0.7 dst=10.42.0.9 sport=53 dport=40003 mark=0 use=1
udp      17 26 src=192.0.2.50 dst=192.0.2.2 sport=40004 dport=30053 src=10.42.0.6 dst=10.42.0.1 sport=5353 dport=40004 mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 4 flow entries have been shown.
`;

const dns = (endpoints: string[]): ProxyServicePort => ({
  portName: 'kube-system/kube-dns:dns', protocol: 'UDP', clusterIP: '10.43.0.10', port: 53, nodePort: 30053, externalIPs: [], loadBalancerIPs: [],
  loadBalancerSourceRanges: [], healthCheckNodePort: 0, internalPolicyLocal: false, externalPolicyLocal: false,
  endpoints: endpoints.map((ip) => ({ ip, port: 5353, ready: true, serving: true, terminating: false, local: true })),
});

test('parses the original and reply tuples of each UDP flow', () => {
  const flows = parseConntrack(listing);
  assert.equal(flows.length, 4);
  assert.deepEqual(flows[1], { src: '10.42.0.9', dst: '10.43.0.10', sport: 40002, dport: 53, replySrc: '10.43.0.10', replySport: 53 });
});

test('flows to a service that no current endpoint answers are stale; others are left alone', () => {
  const flows = parseConntrack(listing);
  const local = new Set(['192.0.2.2']);
  // The endpoint was replaced: the DNATed flow, the never-DNATed one and the node-port one go.
  assert.deepEqual(staleFlows(flows, [dns(['10.42.0.8'])], local).map((f) => f.sport), [40001, 40002, 40004]);
  // Endpoints unchanged: only the flow that never got a DNAT (it began before the rules).
  assert.deepEqual(staleFlows(flows, [dns(['10.42.0.5', '10.42.0.6'])], local).map((f) => f.sport), [40002]);
  // TCP ports and other destinations are never touched.
  assert.deepEqual(staleFlows(flows, [{ ...dns([]), protocol: 'TCP' }], local), []);
});
