/**
 * Masks personal data in text that is shown to the public (DESIGN "Privacy and access"): mobile and landline
 * numbers, ID-card numbers, licence plates, e-mail addresses always; personal names when the citizen asked
 * to appear anonymously. Rules are regular expressions tuned on real citizen messages
 * (test/ingest-app/fixtures/replies-sample.jsonl); they over-mask a little rather than leak.
 */
export interface MaskOptions {
  /** Mask personal names too (the citizen chose to appear anonymously). */
  anonymous: boolean;
  /** Names already known to be the citizen's (found in their message), masked in a reply too. */
  knownNames?: string[];
}

// Separators allowed inside numbers as people type them: space, dash, dot.
const ID_CARD = /(?<![\dA-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])/g;
const MOBILE = /(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)/g;
// Area code (3–4 digits starting with 0) + 7–8 digits, optional extension.
const LANDLINE = /(?<!\d)\(?0\d{2,3}\)?[-\s]?\d{3,4}[-\s]?\d{4}(?:[-转]\d{1,5})?(?!\d)/g;
// A bare 7–8 digit local number, only where the text says it is a phone number.
const LOCAL_NUMBER = /((?:电话|手机|座机|热线|联系方式|号码|致电|拨打)[^\d\n]{0,6})(\d{7,8})(?!\d)/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// Province abbreviation + issuing letter + 5 (or 6 for new-energy plates) characters.
const PLATE =
  /[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][·.\s-]?[A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]/g;

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝';
const COMPOUND_SURNAMES = '欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|令狐|夏侯';
/** A name introduced by the writer ("我叫邓桂秋，", "本人陈红扬，", "联系人：王女士"). */
const NAME_CUE = new RegExp(
  `(?:我叫|我是|本人叫|本人是|本人|姓名[:：]?|联系人[:：]?|署名[:：]?|举报人[:：]?|投诉人[:：]?)((?:${COMPOUND_SURNAMES}|[${SURNAMES}])[\\u4e00-\\u9fff]{1,2}?)(?=[，,。.;；:：\\s、（(）)!！?？]|男|女|电话|手机|身份证|$)`,
  'g',
);
// A surname followed by a form of address names a person as well ("黄先生", "李阿姨").
const ADDRESSED = new RegExp(`([${SURNAMES}])(先生|女士|小姐|阿姨|师傅|大爷|大妈|老人)`, 'g');

const stars = (s: string): string => '*'.repeat(s.length);

function maskDigits(value: string, keepStart: number, keepEnd: number): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length <= keepStart + keepEnd) return stars(value);
  return digits.slice(0, keepStart) + '*'.repeat(digits.length - keepStart - keepEnd) + digits.slice(digits.length - keepEnd);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Names the writer gave for themselves; each is then masked wherever it appears in the text. */
export function findSelfNames(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(NAME_CUE)) names.add(match[1]);
  return [...names];
}

export function maskPublicText(text: string, options: MaskOptions): string {
  let out = text
    .replace(EMAIL, (m) => `${m[0]}***@${m.split('@')[1]}`)
    .replace(ID_CARD, (m) => maskDigits(m, 6, 0).slice(0, 6) + '*'.repeat(m.length - 6))
    .replace(MOBILE, (m) => maskDigits(m, 3, 4))
    .replace(LANDLINE, (m) => maskDigits(m, 0, 0))
    .replace(LOCAL_NUMBER, (_m, cue: string, n: string) => cue + stars(n))
    .replace(PLATE, (m) => `${m.slice(0, 2)}${stars(m.slice(2))}`);
  if (options.anonymous) {
    for (const name of [...new Set([...(options.knownNames ?? []), ...findSelfNames(out)])].sort((a, b) => b.length - a.length)) {
      out = out.replace(new RegExp(escapeRegExp(name), 'g'), name[0] + stars(name.slice(1)));
    }
    out = out.replace(ADDRESSED, (_m, _surname: string, form: string) => `*${form}`);
  }
  return out;
}
