import { ChannelError } from '@app/common/channel/channel-error.js';
import { WechatCipher, wechatSignature, WX_ERR } from './wechat-crypto.js';
import { parseWechatXml } from './wechat-xml.js';

// Official test vectors (../shared/reference/wechat.md, vectors A, B, C).
const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const B_ENCRYPT =
  'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=';
const C_ENCRYPT =
  'mfBCs65c67CeJw22u4VT2TD73q5H06+ocrAIxswCaeZ/d/Lw0msSZFHY0teqgSYiI1zR2gD2DKrB3TIrmX/liNSDrGqS8jSI/WPeKB5VPr7Ezr7gomZAyGCwJSgT1TRFWPfONGJMxuj2nk4faTuspAuVIFQ6SHwZuJBZC7mcJp7Cgr9cUhATQWDbOPaE7ukZBTV2YqyzH+UI2AK+J1S47cE79k1RX8t0hcTz/O0hlK8DGXKnvYv88qKQcI7z4iaajqHfRVZKBNyOODabs+It+ZfM3dWTeFcPgDbGtIEnpt/EDtuuA/zMvtkaKdHdswPnVZQ+xdwbYr3ldGvfT8HlEYEgkgKaThxTFobVlwzu2ZkXCjicbP3xdr15Iq48ObgzPpqYuZ3IEoyggZDKClquk0u0orMck4GTF/XyE8yGzc4=';

describe(WechatCipher.name, () => {
  it('encrypts vector A (Java sample) to the official ciphertext', () => {
    const cipher = new WechatCipher(KEY, 'wxb11529c136998cb6');
    expect(cipher.encrypt('我是中文abcd123', Buffer.from('aaaabbbbccccdddd'))).toBe(
      'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
    );
  });

  it('verifies and decrypts vector B (Python sample)', () => {
    expect(wechatSignature('spamtest', '1409735669', '1320562132', B_ENCRYPT)).toBe('5d197aaffba7e9b25a30732f161a50dee96bd5fa');
    expect(wechatSignature('spamtest', '1409735669', '1320562132')).toBe('16120ec1b8dbb870f510d87ce6bc2463eae6ca1a');
    const xml = new WechatCipher(KEY, 'wx2c2769f8efd9abc2').decrypt(B_ENCRYPT);
    expect(Buffer.byteLength(xml)).toBe(280);
    expect(parseWechatXml(xml)).toMatchObject({
      ToUserName: 'gh_10f6c3c3ac5a',
      FromUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
      CreateTime: '1409735668',
      MsgType: 'text',
      Content: 'abcdteT',
      MsgId: '6054768590064713728',
    });
  });

  it('verifies and decrypts vector C (C++ sample)', () => {
    expect(wechatSignature('spamtest', '1410349438', '298025754', C_ENCRYPT)).toBe('003fee52ecc56afb46c00b5c7721be87860ce785');
    const fields = parseWechatXml(new WechatCipher(KEY, 'wx2c2769f8efd9abc2').decrypt(C_ENCRYPT));
    expect(fields).toMatchObject({ Content: 'abcdteT', CreateTime: '1410349438', MsgId: '6057404712141979648' });
  });

  it('round-trips Chinese text and pads to a multiple of 32 bytes', () => {
    const cipher = new WechatCipher(KEY, 'wx2c2769f8efd9abc2');
    for (const text of ['', 'a', '问政'.repeat(100)]) {
      const encrypted = cipher.encrypt(text);
      expect(Buffer.from(encrypted, 'base64').length % 32).toBe(0);
      expect(cipher.decrypt(encrypted)).toBe(text);
    }
  });

  it('refuses a message for another AppID with -40005', () => {
    const other = new WechatCipher(KEY, 'wxb11529c136998cb6');
    const error = (() => {
      try {
        other.decrypt(B_ENCRYPT);
      } catch (e) {
        return e as ChannelError;
      }
    })();
    expect(error).toBeInstanceOf(ChannelError);
    expect(error?.vendorCode).toBe(WX_ERR.appId);
  });

  it('refuses bad base64 and a malformed key with the sample codes', () => {
    const cipher = new WechatCipher(KEY, 'wx2c2769f8efd9abc2');
    expect(() => cipher.decrypt('not base64!')).toThrow(expect.objectContaining({ vendorCode: WX_ERR.base64 }));
    expect(() => new WechatCipher('short', 'wx2c2769f8efd9abc2')).toThrow(expect.objectContaining({ vendorCode: WX_ERR.aesKey }));
  });
});
