import { readFileSync } from 'node:fs';
import { findSelfNames, maskPublicText } from './mask.js';

interface Reply {
  id: string;
  subject: string;
  body: string;
  reply: string;
}

// Real messages from the public corpus (see test/ingest-app/fixtures/README.md).
const sample = new Map<string, Reply>(
  readFileSync('test/ingest-app/fixtures/replies-sample.jsonl', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Reply)
    .map((r) => [r.id, r]),
);
const message = (id: string): Reply => {
  const found = sample.get(id);
  if (!found) throw new Error(`fixture ${id} missing`);
  return found;
};
const anonymous = { anonymous: true };
const named = { anonymous: false };

describe(maskPublicText.name, () => {
  it('masks a self-introduced name everywhere in the message when the citizen is anonymous', () => {
    const body = message('58269').body;
    const masked = maskPublicText(body, anonymous);
    expect(masked).toContain('我叫邓**，D12市官岭镇人');
    expect(masked).not.toContain('邓桂秋');
  });

  it('keeps names when the citizen chose to be shown by name', () => {
    expect(maskPublicText(message('58269').body, named)).toContain('我叫邓桂秋');
  });

  it('finds names after 我叫 and 本人, and not in ordinary phrases such as 本人是泰山一号住户', () => {
    expect(findSelfNames(message('126865').body)).toEqual(['陈平旺']);
    expect(findSelfNames(message('32791').body)).toEqual(['陈红扬']);
    expect(findSelfNames(message('175865').body)).toEqual(['苏波']);
    expect(findSelfNames(message('123880').body)).toEqual(['杨华明']);
    expect(findSelfNames(message('33655').body)).toEqual([]);
    expect(findSelfNames(message('17576').body)).toEqual([]);
    expect(findSelfNames(message('58269').body)).toEqual(['邓桂秋']);
  });

  it('masks the citizen name in the official reply with the names found in the question', () => {
    const { body, reply } = message('126865');
    const masked = maskPublicText(reply, { anonymous: true, knownNames: findSelfNames(body) });
    expect(masked).not.toContain('陈平旺');
    expect(masked).toContain('陈**，两丫坪镇');
  });

  it('masks forms of address that name a person (黄先生) but not a trade (送气的师傅)', () => {
    expect(maskPublicText('黄先生及其母亲均表示误会已消除', anonymous)).toBe('*先生及其母亲均表示误会已消除');
    expect(maskPublicText(message('125699').body, anonymous)).toContain('送气的师傅要求');
  });

  it('masks landline numbers with an area code and local numbers the text calls a phone number', () => {
    expect(maskPublicText(message('94152').reply, named)).not.toContain('0735-7772305');
    const masked = maskPublicText(message('135187').reply, named);
    expect(masked).not.toContain('8227670');
    expect(masked).toContain('拨打联系电话*******进行咨询');
    // Five-digit service hotlines are public and stay readable.
    expect(maskPublicText(message('32791').reply, named)).toContain('12333劳动保障维权热线');
  });

  it('masks mobile numbers, ID-card numbers, plates and e-mails inserted into real lines', () => {
    const line = `${message('129708').body}我的手机13912345678，身份证610802199001011234，车牌陕K·A1234，邮箱zhang.san@163.com`;
    const masked = maskPublicText(line, named);
    expect(masked).toContain('139****5678');
    expect(masked).not.toContain('610802199001011234');
    expect(masked).toContain('610802************');
    expect(masked).not.toMatch(/陕K·?A1234/);
    expect(masked).toContain('陕K*****');
    expect(masked).toContain('z***@163.com');
    expect(masked.startsWith('L4县龙腾御城小区公共车位')).toBe(true);
  });

  it('masks a mobile number written with spaces or a +86 prefix', () => {
    expect(maskPublicText('电话 +86 139 1234 5678 找我', named)).not.toMatch(/1234/);
    expect(maskPublicText('电话139-1234-5678', named)).toBe('电话139****5678');
  });

  it('leaves dates, amounts and case numbers alone', () => {
    const reply = message('47572').reply;
    expect(maskPublicText(reply, anonymous)).toBe(reply);
    expect(maskPublicText('2019年10月21日收取130元，国务院令第583号', anonymous)).toBe('2019年10月21日收取130元，国务院令第583号');
  });
});
