import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientNetwork } from '../../src/core/auth/client-network.js';

describe('the network an address is counted as by the attempt limits', () => {
  test('every IPv6 address of one /64 counts as that /64, however it is written', () => {
    const one = clientNetwork('2001:db8:1:1::1');
    assert.equal(one, '2001:db8:1:1::/64');
    for (const other of ['2001:db8:1:1::28', '2001:0db8:0001:0001:ffff:ffff:ffff:ffff', '2001:DB8:1:1:0:0:0:9', '2001:db8:1:1::1%eth0']) {
      assert.equal(clientNetwork(other), one, other);
    }
    assert.notEqual(clientNetwork('2001:db8:1:2::1'), one);
    assert.equal(clientNetwork('::1'), '0:0:0:0::/64');
    assert.equal(clientNetwork('fe80::'), 'fe80:0:0:0::/64');
  });

  test('IPv4, also written as IPv4-mapped IPv6, counts as itself', () => {
    assert.equal(clientNetwork('198.51.100.7'), '198.51.100.7');
    assert.equal(clientNetwork('::ffff:198.51.100.7'), '198.51.100.7');
    assert.notEqual(clientNetwork('198.51.100.8'), clientNetwork('198.51.100.7'));
  });
});
