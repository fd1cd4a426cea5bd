import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ChannelError } from '@app/common/channel/channel-error.js';
import { signatureMatches, sortedSha1 } from '@app/common/channel/signature.js';

/**
 * WeChat's message signature and safe-mode cipher, written from ../shared/reference/wechat.md (copied facts):
 * signature = sha1(sort([token, timestamp, nonce(, Encrypt)]).join('')); AES-256-CBC with IV = key[0..16],
 * PKCS#7 padded by hand to a multiple of 32 bytes; plaintext = 16 random bytes + uint32be length + message + AppID.
 * The official samples' error codes are kept on the thrown errors (-40001 … -40010).
 */
export const WX_ERR = {
  signature: -40001,
  xml: -40002,
  aesKey: -40004,
  appId: -40005,
  decrypt: -40007,
  base64: -40010,
} as const;

const BLOCK = 32;

export const wechatSignature = sortedSha1;
export { signatureMatches };

export class WechatCipher {
  private readonly key: Buffer;
  private readonly iv: Buffer;

  constructor(
    encodingAesKey: string,
    private readonly appId: string,
  ) {
    if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey)) {
      throw new ChannelError('bad_aes_key', 'EncodingAESKey must be 43 base64 characters', WX_ERR.aesKey);
    }
    this.key = Buffer.from(`${encodingAesKey}=`, 'base64');
    if (this.key.length !== 32) throw new ChannelError('bad_aes_key', 'EncodingAESKey is not 32 bytes', WX_ERR.aesKey);
    this.iv = this.key.subarray(0, 16);
  }

  encrypt(message: string, random: Buffer = randomBytes(16)): string {
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length, 0);
    const plain = Buffer.concat([random, length, body, Buffer.from(this.appId, 'utf8')]);
    const pad = BLOCK - (plain.length % BLOCK);
    const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.iv).setAutoPadding(false);
    return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
  }

  /** Returns the inner XML; throws a coded error when the text is not ours or not well-formed. */
  decrypt(encrypted: string): string {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted) || encrypted.length % 4 !== 0) {
      throw new ChannelError('malformed', 'Encrypt is not base64', WX_ERR.base64);
    }
    const data = Buffer.from(encrypted, 'base64');
    if (data.length === 0 || data.length % 16 !== 0) throw new ChannelError('malformed', 'bad cipher length', WX_ERR.decrypt);
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, this.iv).setAutoPadding(false);
      plain = Buffer.concat([decipher.update(data), decipher.final()]);
    } catch {
      throw new ChannelError('malformed', 'decryption failed', WX_ERR.decrypt);
    }
    const pad = plain[plain.length - 1];
    if (pad < 1 || pad > BLOCK || pad > plain.length) throw new ChannelError('malformed', 'bad padding', WX_ERR.decrypt);
    const content = plain.subarray(16, plain.length - pad);
    if (content.length < 4) throw new ChannelError('malformed', 'plaintext too short', WX_ERR.decrypt);
    const length = content.readUInt32BE(0);
    if (4 + length > content.length) throw new ChannelError('malformed', 'bad message length', WX_ERR.decrypt);
    const message = content.subarray(4, 4 + length).toString('utf8');
    const appId = content.subarray(4 + length).toString('utf8');
    if (appId !== this.appId) throw new ChannelError('forbidden', 'AppID of the message is not ours', WX_ERR.appId);
    return message;
  }
}
