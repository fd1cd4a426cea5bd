/**
 * A strict little reader for the XML the Open311 endpoints write, for tests only: elements and text, the five
 * predefined entities and numeric references; anything else (DOCTYPE, other entities, attributes, CDATA,
 * mixed content) fails the test. `toSpark` turns the tree into the JSON the spec's Spark convention gives.
 */
export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);|&/g, (whole, ref: string | undefined) => {
    if (!ref) throw new Error('bare & in XML text');
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const value = ENTITIES[ref];
    if (value === undefined) throw new Error(`unknown entity ${whole}`);
    return value;
  });
}

export function parseXml(xml: string): XmlElement {
  const declaration = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(xml);
  if (!declaration) throw new Error('missing <?xml version="1.0" encoding="UTF-8"?>');
  let pos = declaration[0].length;
  if (/<!DOCTYPE|<!ENTITY|<!\[CDATA\[/i.test(xml)) throw new Error('DOCTYPE, ENTITY or CDATA in the document');
  const element = (): XmlElement => {
    const open = /^<([A-Za-z_][\w.-]*)>/.exec(xml.slice(pos));
    if (!open) throw new Error(`expected an element at ${pos}: ${xml.slice(pos, pos + 40)}`);
    pos += open[0].length;
    const node: XmlElement = { name: open[1], children: [], text: '' };
    for (;;) {
      const rest = xml.slice(pos);
      const close = new RegExp(`^</${node.name}>`).exec(rest);
      if (close) {
        pos += close[0].length;
        return node;
      }
      if (rest.startsWith('<')) {
        if (node.text.trim()) throw new Error(`mixed content in <${node.name}>`);
        node.text = '';
        node.children.push(element());
        continue;
      }
      const text = /^[^<]*/.exec(rest)![0];
      if (!text) throw new Error(`unterminated <${node.name}>`);
      if (node.children.length > 0 && text.trim()) throw new Error(`mixed content in <${node.name}>`);
      node.text += node.children.length > 0 ? '' : decode(text);
      pos += text.length;
    }
  };
  const root = element();
  if (xml.slice(pos).trim()) throw new Error('content after the root element');
  return root;
}

const LISTS = new Set(['services', 'attributes', 'values', 'service_requests', 'errors', 'endpoints', 'formats']);

/** The Spark-convention JSON of an element's content; leaves are strings (XML has no numbers or booleans). */
export function toSpark(node: XmlElement): unknown {
  if (LISTS.has(node.name)) return node.children.map(toSpark);
  if (node.children.length === 0) return node.text;
  return Object.fromEntries(node.children.map((c) => [c.name, toSpark(c)]));
}

/** JSON with every leaf as the string XML would carry (null → ''), to compare with `toSpark`. */
export function stringLeaves(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringLeaves);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringLeaves(v)]));
  }
  return value === null || value === undefined ? '' : String(value);
}
