import { escapeXml, toXml } from './open311.xml.js';

describe(toXml.name, () => {
  it('writes the declaration, list items by the Spark convention, and empty elements for null', () => {
    const xml = toXml('service_requests', [{ service_request_id: 'YL20261127-000001', service_notice: null, account_id: null, lat: 38.28 }]);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<service_requests>\n  <request>\n    <service_request_id>YL20261127-000001</service_request_id>\n' +
        '    <service_notice></service_notice>\n    <account_id></account_id>\n    <lat>38.28</lat>\n  </request>\n</service_requests>\n',
    );
  });

  it('escapes markup and replaces characters XML cannot carry', () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
    expect(escapeXml('bell\u0007 tab\t lone\uD800 ok😀')).toBe('bell\uFFFD tab\t lone\uFFFD ok😀');
    expect(toXml('errors', [{ code: 400, description: ']]><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;' }])).not.toMatch(/<!DOCTYPE|<!ENTITY|&e;/);
  });

  it('refuses element names that are not XML names and lists without an item element', () => {
    expect(() => toXml('service_requests', [{ 'bad name': 1 }])).toThrow();
    expect(() => toXml('things', [1])).toThrow();
  });
});
