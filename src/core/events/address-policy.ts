import { BlockList, isIP } from 'node:net';

// Loopback, private, link-local (cloud metadata), carrier-grade NAT, multicast and reserved ranges:
// nothing a public receiver lives at, and everything a server-side request forgery aims for.
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 3],
] as const) blocked.addSubnet(network, prefix, 'ipv4');
// IPv6 ranges that are local, or that carry an IPv4 address a relay or translator may reach:
// IPv4-compatible (::/96, also :: and ::1), IPv4-translated (::ffff:0:0:0/96), NAT64 (both),
// Teredo (2001::/32, its IPv4 obfuscated). IPv4-mapped (::ffff:0:0/96) is judged as its IPv4 by
// BlockList itself; 6to4 (2002::/16) and ISATAP interface ids (…:0:5efe:a.b.c.d) as the IPv4
// they embed, below. Site-local fec0::/10 is deprecated but still routed by some networks.
for (const [network, prefix] of [
  ['::', 96], ['::ffff:0:0:0', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 32], ['2001:db8::', 32],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) blocked.addSubnet(network, prefix, 'ipv6');

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad becomes two). */
function ipv6Groups(address: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const hex = dotted ? `${address.slice(0, dotted.index)}${((+dotted[1]! << 8) | +dotted[2]!).toString(16)}:${((+dotted[3]! << 8) | +dotted[4]!).toString(16)}` : address;
  const [head = '', tail] = hex.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16));
}

/** Whether an IP address is a public unicast one (an IPv6 address embedding an IPv4 one is judged as that too). */
export function isPublicAddress(address: string): boolean {
  const mapped = MAPPED_V4.exec(address)?.[1];
  if (mapped) return isPublicAddress(mapped);
  const family = isIP(address);
  if (family === 0) return false;
  if (blocked.check(address, family === 4 ? 'ipv4' : 'ipv6')) return false;
  if (family === 6) {
    const groups = ipv6Groups(address.split('%')[0]!);
    const asIPv4 = (high = 0, low = 0) => [high >> 8, high & 255, low >> 8, low & 255].join('.');
    if (groups[0] === 0x2002) return isPublicAddress(asIPv4(groups[1], groups[2]));
    if ((groups[4] === 0 || groups[4] === 0x200) && groups[5] === 0x5efe) return isPublicAddress(asIPv4(groups[6], groups[7]));
  }
  return true;
}

/** A URL's host as an address when it is an IP literal ("[::1]" → "::1"), else undefined. */
export function literalAddress(hostname: string): string | undefined {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) ? bare : undefined;
}

/** Names that always mean this machine, whatever DNS says. */
export const isLocalName = (hostname: string) => /(^|\.)localhost\.?$/i.test(hostname);
