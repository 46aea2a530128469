import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IPAllocator } from './ip-allocator.js';
import { PortAllocator } from './port-allocator.js';
import { clusterIPBand, nodePortBand, randomFree, staticBandSize } from './random-scan.js';

test('the static band is sized as Kubernetes sizes it', () => {
  assert.equal(staticBandSize(2768, nodePortBand), 86, '30000-32767');
  assert.equal(staticBandSize(100_000, nodePortBand), 128);
  assert.equal(staticBandSize(17, nodePortBand), 16);
  assert.equal(staticBandSize(16, nodePortBand), 0);
  assert.equal(staticBandSize(65_536, clusterIPBand), 256, 'a /16');
  assert.equal(staticBandSize(1024, clusterIPBand), 64, 'a /22');
  assert.equal(staticBandSize(16, clusterIPBand), 0, 'a /28');
});

test('random picks take the upper part first, then the static band', () => {
  const used = new Set<number>();
  const take = () => {
    const v = randomFree(100, 40, 16, used);
    if (v !== undefined) used.add(v);
    return v;
  };
  for (let i = 0; i < 24; i++) {
    const v = take() as number;
    assert.ok(v >= 116 && v < 140, String(v));
  }
  for (let i = 0; i < 16; i++) {
    const v = take() as number;
    assert.ok(v >= 100 && v < 116, String(v));
  }
  assert.equal(take(), undefined, 'full');
});

test('node ports and cluster IPs picked at random stay out of the static band', () => {
  const ports = new PortAllocator(30000, 32767);
  const ips = new IPAllocator('10.43.0.0/16');
  for (let i = 0; i < 500; i++) {
    assert.ok((ports.allocateNext() as number) >= 30086);
    const ip = ips.allocateNext() as string;
    assert.ok(!/^10\.43\.0\.\d+$/.test(ip) && ip !== '10.43.1.0', ip);
  }
});
