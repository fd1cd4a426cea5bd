/**
 * GeoReport v2 XML output, the format the spec requires; JSON is the same tree by the Spark convention
 * (wiki.open311.org/JSON_and_XML_Conversion): a JSON array under `services` is a `<services>` element with one
 * `<service>` per item, and so on. We only write XML, never parse it, so no entity or DOCTYPE handling is
 * needed on input.
 */
const ITEM_TAGS: Record<string, string> = {
  services: 'service',
  attributes: 'attribute',
  values: 'value',
  service_requests: 'request',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
};

const TAG = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

// Characters XML 1.0 cannot carry at all, even escaped: C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF.
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}

function element(tag: string, value: unknown, indent: string): string {
  if (!TAG.test(tag)) throw new Error(`not an XML element name: ${tag}`);
  if (value === undefined) return '';
  if (value === null || value === '') return `${indent}<${tag}></${tag}>\n`;
  if (Array.isArray(value)) {
    const itemTag = ITEM_TAGS[tag];
    if (!itemTag) throw new Error(`no item element for the list ${tag}`);
    const inner = value.map((item) => element(itemTag, item, `${indent}  `)).join('');
    return `${indent}<${tag}>\n${inner}${indent}</${tag}>\n`;
  }
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>).map(([k, v]) => element(k, v, `${indent}  `)).join('');
    return `${indent}<${tag}>\n${inner}${indent}</${tag}>\n`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return `${indent}<${tag}></${tag}>\n`;
  return `${indent}<${tag}>${escapeXml(String(value))}</${tag}>\n`;
}

/** A UTF-8 XML document whose root element is `root` holding `value` (a list for `services`, `service_requests`, `errors`). */
export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(root, value, '')}`;
}
