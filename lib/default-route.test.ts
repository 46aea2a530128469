import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRouteInterface, ipv4Of } from './default-route.js';

const header = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT';

describe('defaultRouteInterface', () => {
  it('picks the default route, not the first interface', () => {
    const routes = [header,
      'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
      'ens4\t00000000\t0102000A\t0003\t0\t0\t100\t00000000\t0\t0\t0',
      'ens4\t0002000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0'].join('\n');
    assert.equal(defaultRouteInterface(routes), 'ens4');
  });

  it('prefers the lowest metric among several default routes', () => {
    const routes = [header,
      'wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0',
      'eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0'].join('\n');
    assert.equal(defaultRouteInterface(routes), 'eth0');
  });

  it('finds none without a default route (or with one that is down)', () => {
    assert.equal(defaultRouteInterface(header + '\neth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0'), undefined);
    assert.equal(defaultRouteInterface(header + '\neth0\t00000000\t0100000A\t0002\t0\t0\t0\t00000000\t0\t0\t0'), undefined);
  });
});

describe('ipv4Of', () => {
  it('takes the IPv4 address, skipping IPv6', () => {
    const ifs = { eth0: [
      { family: 'IPv6', address: 'fe80::1', internal: false, netmask: '', mac: '', cidr: null, scopeid: 2 },
      { family: 'IPv4', address: '10.0.2.15', internal: false, netmask: '255.255.255.0', mac: '', cidr: '10.0.2.15/24' },
    ] } as unknown as NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]>;
    assert.equal(ipv4Of('eth0', ifs), '10.0.2.15');
    assert.equal(ipv4Of('eth1', ifs), undefined);
  });
});
