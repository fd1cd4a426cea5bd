import { BlockList, isIP } from 'node:net';

/**
 * Which addresses a media_url may reach (SSRF defence): public unicast only. Everything special-purpose in
 * the IANA IPv4/IPv6 registries is refused: private, loopback, link-local (cloud metadata at 169.254.169.254),
 * CGNAT, multicast, unspecified, benchmarking, documentation, reserved, and IPv6 forms that embed an IPv4
 * address (mapped, compatible, NAT64, 6to4, Teredo) unless the embedded address is itself allowed.
 */
const REFUSED_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
];
const REFUSED_V6: [string, number][] = [
  ['::', 128],
  ['::1', 128],
  ['100::', 64], // discard-only
  ['2001:db8::', 32],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const refused = new BlockList();
for (const [net, prefix] of REFUSED_V4) refused.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of REFUSED_V6) refused.addSubnet(net, prefix, 'ipv6');

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

export interface AddressPolicyOptions {
  /** Test-only: let 127.0.0.0/8 and ::1 through (OPEN311_MEDIA_ALLOW_LOOPBACK). */
  allowLoopback: boolean;
}

/** The IPv4 address an IPv6 address carries, for the forms that route to it; undefined otherwise. */
export function embeddedIPv4(ip: string): string | undefined {
  const words = expandIPv6(ip);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zero(0, 5) && words[5] === 0xffff) return v4(words[6], words[7]); // ::ffff:a.b.c.d (mapped)
  if (zero(0, 4) && words[4] === 0xffff && words[5] === 0) return v4(words[6], words[7]); // ::ffff:0:a.b.c.d (translated)
  if (zero(0, 6)) return v4(words[6], words[7]); // ::a.b.c.d (compatible; :: and ::1 are caught before)
  if (words[0] === 0x64 && words[1] === 0xff9b && zero(2, 6)) return v4(words[6], words[7]); // 64:ff9b::/96 NAT64
  if (words[0] === 0x2002) return v4(words[1], words[2]); // 6to4
  if (words[0] === 0x2001 && words[1] === 0) return v4(~words[6] & 0xffff, ~words[7] & 0xffff); // Teredo client
  return undefined;
}

function expandIPv6(ip: string): number[] | undefined {
  if (isIP(ip) !== 6) return undefined;
  let text = ip.split('%')[0].toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const part = (s: string | undefined) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const fill = tail === undefined ? [] : new Array(8 - left.length - right.length).fill(0);
  const words = [...left, ...fill, ...right];
  return words.length === 8 ? words : undefined;
}

/** Why an address may not be fetched, or undefined when it may. */
export function refusalOf(ip: string, options: AddressPolicyOptions): string | undefined {
  const family = isIP(ip);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (options.allowLoopback && loopback.check(ip, type)) return undefined;
  if (family === 6) {
    const inner = embeddedIPv4(ip);
    if (inner !== undefined) {
      const innerRefusal = refusalOf(inner, options);
      return innerRefusal ? `${ip} embeds ${inner}: ${innerRefusal}` : undefined;
    }
  }
  if (refused.check(ip, type)) return `${ip} is a private, loopback, link-local or reserved address`;
  return undefined;
}
