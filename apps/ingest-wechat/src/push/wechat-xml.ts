import { ChannelError } from '@app/common/channel/channel-error.js';

/**
 * A strict parser for WeChat's push XML: one `<xml>` root whose children hold text or CDATA (nested
 * elements, as in some menu events, are kept as nested records). Written instead of pulling in a general
 * XML library because the format is tiny and the safe subset is easy to state: no DOCTYPE, no entities
 * other than the five predefined ones and numeric references, no processing instructions except the
 * leading declaration, no attributes, bounded depth and field count. Every value stays a string, so a
 * 64-bit MsgId is never rounded.
 */
export type XmlRecord = { [name: string]: string | XmlRecord };

const MAX_DEPTH = 4;
const MAX_FIELDS = 200;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Characters outside XML 1.0's `Char` production: C0 controls but tab, CR and LF, U+FFFE/U+FFFF and lone
 * surrogates. They cannot be stored as text (PostgreSQL refuses U+0000), so a push carrying one is malformed.
 */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isXmlChar = (point: number): boolean =>
  point === 0x9 || point === 0xa || point === 0xd || (point >= 0x20 && point <= 0xd7ff) || (point >= 0xe000 && point <= 0xfffd) || (point >= 0x10000 && point <= 0x10ffff);

const fail = (why: string): never => {
  throw new ChannelError('malformed', `XML rejected: ${why}`, -40002);
};

class Reader {
  pos = 0;
  fields = 0;
  constructor(readonly s: string) {}

  skipSpace(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos])) this.pos++;
  }

  startsWith(token: string): boolean {
    return this.s.startsWith(token, this.pos);
  }

  element(depth: number): [string, string | XmlRecord] {
    if (depth > MAX_DEPTH) fail('too deeply nested');
    if (!this.startsWith('<')) fail(`expected an element at ${this.pos}`);
    const close = this.s.indexOf('>', this.pos);
    if (close < 0) fail('unterminated tag');
    let tag = this.s.slice(this.pos + 1, close).trim();
    this.pos = close + 1;
    const selfClosing = tag.endsWith('/');
    if (selfClosing) tag = tag.slice(0, -1).trim();
    if (!NAME.test(tag)) fail(`bad or attributed tag <${tag.slice(0, 40)}>`);
    if (++this.fields > MAX_FIELDS) fail('too many elements');
    if (selfClosing) return [tag, ''];

    let text = '';
    let children: XmlRecord | undefined;
    for (;;) {
      if (this.pos >= this.s.length) fail(`unterminated <${tag}>`);
      if (this.startsWith('</')) {
        const end = this.s.indexOf('>', this.pos);
        if (end < 0 || this.s.slice(this.pos + 2, end).trim() !== tag) fail(`mismatched </${tag}>`);
        this.pos = end + 1;
        if (children) {
          if (text.trim()) fail(`mixed content in <${tag}>`);
          return [tag, children];
        }
        return [tag, text];
      }
      if (this.startsWith('<![CDATA[')) {
        const end = this.s.indexOf(']]>', this.pos);
        if (end < 0) fail('unterminated CDATA');
        text += this.s.slice(this.pos + 9, end);
        this.pos = end + 3;
        continue;
      }
      if (this.startsWith('<!--')) {
        const end = this.s.indexOf('-->', this.pos);
        if (end < 0) fail('unterminated comment');
        this.pos = end + 3;
        continue;
      }
      if (this.startsWith('<!') || this.startsWith('<?')) fail('declarations and processing instructions are not allowed');
      if (this.startsWith('<')) {
        const [name, value] = this.element(depth + 1);
        children ??= {};
        if (!(name in children)) children[name] = value;
        continue;
      }
      const next = this.s.indexOf('<', this.pos);
      const raw = this.s.slice(this.pos, next < 0 ? this.s.length : next);
      text += decodeText(raw);
      this.pos += raw.length;
    }
  }
}

function decodeText(raw: string): string {
  return raw.replace(/&([^;&\s]{0,12});?/g, (match, name: string) => {
    if (!match.endsWith(';')) return fail('bare "&" in text');
    if (name in ENTITIES) return ENTITIES[name];
    const code = /^#x([0-9a-fA-F]{1,6})$/.exec(name)?.[1] ?? /^#([0-9]{1,7})$/.exec(name)?.[1];
    if (code === undefined) return fail(`entity &${name}; is not allowed`);
    const point = name.startsWith('#x') ? parseInt(code, 16) : parseInt(code, 10);
    if (!isXmlChar(point)) fail('bad character reference');
    return String.fromCodePoint(point);
  });
}

/** Parses a WeChat body; the root must be `<xml>`. */
export function parseWechatXml(body: string): XmlRecord {
  if (NOT_XML_CHAR.test(body)) fail('a character XML does not allow');
  const r = new Reader(body.replace(/^\uFEFF/, ''));
  r.skipSpace();
  if (r.startsWith('<?xml')) {
    const end = r.s.indexOf('?>', r.pos);
    if (end < 0) fail('unterminated declaration');
    r.pos = end + 2;
    r.skipSpace();
  }
  if (r.startsWith('<!')) fail('DOCTYPE is not allowed');
  const [root, value] = r.element(0);
  r.skipSpace();
  if (r.pos !== r.s.length) fail('content after the root element');
  if (root !== 'xml') fail(`root must be <xml>, got <${root}>`);
  return typeof value === 'string' ? {} : value;
}

const cdata = (value: string): string => `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

/** Builds a flat reply document; numbers are written bare as in the official examples, strings as CDATA. */
export function buildWechatXml(fields: Record<string, string | number>): string {
  const body = Object.entries(fields)
    .map(([name, value]) => `<${name}>${typeof value === 'number' ? String(value) : cdata(value)}</${name}>`)
    .join('');
  return `<xml>${body}</xml>`;
}
