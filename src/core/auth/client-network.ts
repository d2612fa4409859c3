import { isIPv6 } from 'node:net';

/**
 * The network a client address is counted as by the attempt limits. One IPv6 host commonly holds
 * a whole /64 (2^64 addresses), so counting IPv6 addresses one by one would give an attacker
 * unlimited guesses: an IPv6 address counts as its /64. IPv4 (also IPv4-mapped IPv6) counts as itself.
 */
export function clientNetwork(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
