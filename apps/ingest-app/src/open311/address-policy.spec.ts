import { embeddedIPv4, refusalOf } from './address-policy.js';

describe(refusalOf.name, () => {
  const strict = { allowLoopback: false };

  it.each([
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.10', '169.254.169.254', '100.64.0.1',
    '100.127.255.254', '0.0.0.0', '224.0.0.1', '239.255.255.250', '255.255.255.255', '198.18.0.1', '192.0.2.5',
    '::', '::1', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1',
    '::ffff:169.254.169.254', '::127.0.0.1', '64:ff9b::a00:1', '2002:c0a8:101::1', '2001:db8::1',
  ])('refuses %s', (ip) => {
    expect(refusalOf(ip, strict)).toEqual(expect.any(String));
  });

  it.each(['8.8.8.8', '1.1.1.1', '101.6.6.6', '172.32.0.1', '100.128.0.1', '2400:3200::1', '::ffff:8.8.8.8', '64:ff9b::808:808'])('allows the public address %s', (ip) => {
    expect(refusalOf(ip, strict)).toBeUndefined();
  });

  it('lets loopback through only when the test-only flag asks, and nothing else private', () => {
    const loopback = { allowLoopback: true };
    expect(refusalOf('127.0.0.1', loopback)).toBeUndefined();
    expect(refusalOf('::1', loopback)).toBeUndefined();
    expect(refusalOf('::ffff:127.0.0.1', loopback)).toBeUndefined();
    expect(refusalOf('10.0.0.1', loopback)).toEqual(expect.any(String));
    expect(refusalOf('169.254.169.254', loopback)).toEqual(expect.any(String));
  });

  it('refuses what is not an address', () => {
    expect(refusalOf('localhost', strict)).toEqual(expect.any(String));
  });
});

describe(embeddedIPv4.name, () => {
  it('finds the IPv4 address in mapped, NAT64, 6to4 and Teredo forms', () => {
    expect(embeddedIPv4('::ffff:192.168.1.1')).toBe('192.168.1.1');
    expect(embeddedIPv4('64:ff9b::c0a8:101')).toBe('192.168.1.1');
    expect(embeddedIPv4('2002:0a00:0001::')).toBe('10.0.0.1');
    expect(embeddedIPv4('2001:0:4136:e378:8000:63bf:f5ff:fffe')).toBe('10.0.0.1');
    expect(embeddedIPv4('2400:3200::1')).toBeUndefined();
  });
});
