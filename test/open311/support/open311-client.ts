import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { parseXml, toSpark } from './xml.js';

/** The spec's example POST body ("POST Service Request", Example Request), with our service code and jurisdiction. */
export function specExampleForm(apiKey: string, overrides: Record<string, string | undefined> = {}): string {
  const fields: Record<string, string | undefined> = {
    api_key: apiKey,
    jurisdiction_id: 'yl.gov.cn',
    service_code: '0102',
    lat: '37.76524078',
    long: '-122.4212043',
    address_string: '1234 5th street',
    email: 'smit333@sfgov.edu',
    device_id: 'tt222111',
    account_id: '123456',
    first_name: 'john',
    last_name: 'smith',
    phone: '111111111',
    description: 'A large sinkhole is destroying the street',
    'attribute[WHISPAWN]': '123456',
    'attribute[WHISDORN]': 'COISL001',
    ...overrides,
  };
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.replace(/[^[\]]+/g, encodeURIComponent)}=${encodeURIComponent(v!).replace(/%20/g, '+')}`)
    .join('&');
}

export class Open311Client {
  constructor(private readonly app: INestApplication) {}

  http() {
    return request(this.app.getHttpServer());
  }

  post(format: 'xml' | 'json', form: string, headers: Record<string, string> = {}) {
    const req = this.http().post(`/open311/v2/requests.${format}`).set('Content-Type', 'application/x-www-form-urlencoded; charset=utf-8');
    for (const [k, v] of Object.entries(headers)) req.set(k, v);
    return req.send(form);
  }

  /** GETs a resource in both formats; checks the content types and that the XML is the JSON by the Spark convention. */
  async both(path: string, status = 200): Promise<{ json: unknown; xml: string; sparkOfXml: unknown }> {
    const json = await this.http().get(`/open311/v2/${path.replace('{format}', 'json')}`).expect(status);
    const xml = await this.http().get(`/open311/v2/${path.replace('{format}', 'xml')}`).expect(status);
    if (json.headers['content-type'] !== 'application/json; charset=utf-8') throw new Error(`JSON content type: ${json.headers['content-type']}`);
    if (xml.headers['content-type'] !== 'text/xml; charset=utf-8') throw new Error(`XML content type: ${xml.headers['content-type']}`);
    return { json: json.body, xml: xml.text, sparkOfXml: toSpark(parseXml(xml.text)) };
  }
}
