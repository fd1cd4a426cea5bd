import { PhoneProtector } from './phone-protector.js';

describe(PhoneProtector.name, () => {
  const protector = new PhoneProtector('h'.repeat(32), 'e'.repeat(32));

  it('normalizes the ways people type a mainland mobile number', () => {
    for (const input of ['13912345678', '+86 139 1234 5678', '86-139-1234-5678', '139-1234-5678']) {
      expect(PhoneProtector.normalize(input)).toBe('13912345678');
    }
    for (const input of ['1391234567', '23912345678', '0912-3456789', 'abc']) expect(PhoneProtector.normalize(input)).toBeUndefined();
  });

  it('hashes the same number to the same key, and differently under another key', () => {
    expect(protector.lookupHash('13912345678')).toBe(protector.lookupHash('13912345678'));
    expect(protector.lookupHash('13912345678')).not.toContain('13912345678');
    expect(new PhoneProtector('k'.repeat(32), 'e'.repeat(32)).lookupHash('13912345678')).not.toBe(protector.lookupHash('13912345678'));
  });

  it('encrypts with a fresh IV each time and decrypts back; a tampered ciphertext is refused', () => {
    const a = protector.encrypt('13912345678');
    const b = protector.encrypt('13912345678');
    expect(a).not.toBe(b);
    expect(a).not.toContain('13912345678');
    expect(protector.decrypt(a)).toBe('13912345678');
    const parts = a.split('.');
    parts[3] = Buffer.from('13900000000').toString('base64url');
    expect(() => protector.decrypt(parts.join('.'))).toThrow();
    expect(() => new PhoneProtector('h'.repeat(32), 'x'.repeat(32)).decrypt(a)).toThrow();
  });
});
