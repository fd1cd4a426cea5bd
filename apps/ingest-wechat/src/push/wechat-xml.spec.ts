import { ChannelError } from '@app/common/channel/channel-error.js';
import { buildWechatXml, parseWechatXml } from './wechat-xml.js';

describe('parseWechatXml', () => {
  it('reads the official text example with MsgId as a string', () => {
    const xml = `<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId></xml>`;
    expect(parseWechatXml(xml)).toEqual({
      ToUserName: 'toUser',
      FromUserName: 'fromUser',
      CreateTime: '1348831860',
      MsgType: 'text',
      Content: 'this is a test',
      MsgId: '1234567890123456',
    });
  });

  it('keeps a MsgId above 2^53 exact', () => {
    expect(parseWechatXml('<xml><MsgId>6054768590064713728</MsgId></xml>').MsgId).toBe('6054768590064713728');
  });

  it('decodes the predefined entities and character references, and keeps nested records', () => {
    const parsed = parseWechatXml('<?xml version="1.0"?><xml><A>a &lt; b &amp; &#20013;&#x6587;</A><S><N>1</N></S></xml>');
    expect(parsed).toEqual({ A: 'a < b & 中文', S: { N: '1' } });
  });

  it.each([
    ['XXE', '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>'],
    [
      'billion laughs',
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>',
    ],
    ['an undeclared entity', '<xml><Content>&xxe;</Content></xml>'],
    ['a DOCTYPE inside the root', '<xml><!DOCTYPE x><A>1</A></xml>'],
    ['a processing instruction', '<xml><?php echo 1 ?><A>1</A></xml>'],
    ['attributes', '<xml><A b="1">1</A></xml>'],
    ['mismatched tags', '<xml><A>1</B></xml>'],
    ['another root', '<root><A>1</A></root>'],
    ['trailing content', '<xml></xml><xml></xml>'],
    ['a bare ampersand', '<xml><A>a & b</A></xml>'],
    ['deep nesting', '<xml><a><b><c><d><e><f>1</f></e></d></c></b></a></xml>'],
  ])('refuses %s', (_what, xml) => {
    expect(() => parseWechatXml(xml)).toThrow(ChannelError);
  });

  it('refuses characters XML does not allow, raw or as references (PostgreSQL cannot store U+0000)', () => {
    for (const bad of ['<![CDATA[a\u0000b]]>', 'a\u0001b', '&#0;', '&#x1F;', '&#xD800;', '&#xDFFF;', '&#xFFFE;', '&#1114112;', '<![CDATA[\uD800]]>']) {
      expect(() => parseWechatXml(`<xml><Content>${bad}</Content></xml>`)).toThrow(ChannelError);
    }
    expect(parseWechatXml('<xml><Content>a\tb\r\n&#x9;&#x1F600;😀</Content></xml>').Content).toBe('a\tb\r\n\t😀😀');
  });

  it('builds replies whose CDATA survives "]]>" in the text', () => {
    const xml = buildWechatXml({ Content: 'a]]>b', CreateTime: 1 });
    expect(parseWechatXml(xml)).toEqual({ Content: 'a]]>b', CreateTime: '1' });
  });
});
