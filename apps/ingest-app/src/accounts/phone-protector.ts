import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Phone numbers are personal data (DESIGN "Privacy and access"): a keyed HMAC finds an account by its
 * number without storing it readable, and an AES-256-GCM ciphertext keeps it for the rare need to call
 * the citizen back. Neither key has a default in production.
 */
export class PhoneProtector {
  private readonly encryptionKey: Buffer;

  constructor(
    private readonly hmacKey: string,
    encryptionSecret: string,
  ) {
    // The configured secret is any string of 32+ characters; SHA-256 turns it into exactly 32 key bytes.
    this.encryptionKey = createHash('sha256').update(encryptionSecret, 'utf8').digest();
  }

  /** Mainland mobile numbers in one form: 11 digits, without +86, spaces or dashes. */
  static normalize(input: string): string | undefined {
    const digits = input.replace(/[\s-]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '');
    return /^1[3-9]\d{9}$/.test(digits) ? digits : undefined;
  }

  lookupHash(phone: string): string {
    return createHmac('sha256', this.hmacKey).update(phone, 'utf8').digest('hex');
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url. */
  encrypt(phone: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    const body = Buffer.concat([cipher.update(phone, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed phone number');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
