// Submits inquiries to ingest-app at a steady rate, like the citizen app would: JSON POST /inquiries with an
// Idempotency-Key, retried with the same key when the connection fails or the answer is a 5xx/503. Every
// logical submission carries a unique marker in its text, so duplicates can be found in the databases later.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Short texts in the style of the platform's citizen messages; place and topic make most of them routable.
const PLACES = ['榆阳区', '神木市', '府谷县', '靖边县', '定边县', '绥德县', '米脂县', '横山区', '佳县', '子洲县'];
const TOPICS = [
  ['投诉', '小区门口的路灯坏了一个多月，晚上出行很不方便，希望尽快维修。'],
  ['求助', '我们村的自来水已经停了三天，没有任何通知，请相关部门尽快恢复供水。'],
  ['投诉', '附近工地夜间施工噪音很大，影响居民休息，请有关部门依法处理。'],
  ['咨询', '想咨询一下城乡居民医疗保险今年的缴费标准和缴费时间。'],
  ['建议', '建议在学校门口增设减速带和人行横道，保障学生上下学安全。'],
  ['投诉', '小区供暖温度一直达不到标准，家里只有十几度，请供热公司处理。'],
  ['举报', '有商户长期占道经营，还在路边焚烧垃圾，污染环境，请城管部门查处。'],
  ['求助', '拖欠农民工工资半年了，包工头一直不露面，请劳动监察部门帮助讨薪。'],
  ['咨询', '请问办理不动产登记需要准备哪些材料，在哪里办理？'],
  ['投诉', '公交车经常不按时发车，等车要等一个小时，请交通部门督促整改。'],
];

// A tail of characters that differs per submission: the router folds texts that look alike (bigram Dice ≥ 0.45
// against open cases of the same area, duplicates.ts) into one desk case, so a stream of near-copies would
// almost never be assigned and would produce no unit notices. Random characters share few bigrams.
const CHARS = '山水田林路桥河沟梁峁塬窑院门窗墙瓦砖石沙土草木枣柳杨松花果菜米面油盐茶灯线管井泵车船站场街巷村镇乡组户家邻亲友工商农医教警保消环卫交通电气暖邮银税社保';

function tail(n) {
  let x = (n * 2654435761 + 12345) >>> 0;
  let out = '';
  for (let i = 0; i < 80; i++) {
    x = (Math.imul(x ^ (x >>> 15), 2246822519) + 0x9e3779b9 + i) >>> 0;
    out += CHARS[x % CHARS.length];
  }
  return out;
}

export function inquiryBody(n, runTag) {
  const [typeHint, text] = TOPICS[n % TOPICS.length];
  const place = PLACES[Math.floor(n / TOPICS.length) % PLACES.length];
  return {
    typeHint,
    title: `${place}${text.slice(0, 10)}`,
    content: `${place}：${text}（现场情况：${tail(n)}）（编号 ${runTag}-${n}）`,
    address: place,
    anonymous: true,
  };
}

/**
 * `channels`, when given, takes the inquiries `channelOf(n)` puts on WeChat or Weibo (channel-load.mjs); the
 * results below are the app's.
 * @param {{ url: string, count: number, rate: number, runTag: string, maxInFlight?: number, attempts?: number,
 *           channels?: { channelOf: (n: number) => string, converse: (n: number, channel: string) => Promise<void> },
 *           onProgress?: (s: object) => void }} o
 * @returns {Promise<{ acked: Map<number, {inquiryId: string, trackingNo: string, status: number}>, failed: Map<number, string>,
 *                     attemptsTotal: number, retried: number, replayed: number, durationMs: number }>}
 */
export async function submitLoad(o) {
  const acked = new Map();
  const failed = new Map();
  const stats = { attemptsTotal: 0, retried: 0, replayed: 0 };
  const maxInFlight = o.maxInFlight ?? 200;
  const attempts = o.attempts ?? 12; // ~70 s of back-off: longer than any outage the faults cause
  let inFlight = 0;
  const started = Date.now();
  const pending = [];

  const one = async (n) => {
    const body = JSON.stringify(inquiryBody(n, o.runTag));
    const key = `faults-${o.runTag}-${n}`;
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      stats.attemptsTotal++;
      if (attempt > 1) stats.retried++;
      try {
        const res = await fetch(`${o.url}/inquiries`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body,
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        if (res.status === 200 || res.status === 201) {
          const answer = JSON.parse(text);
          if (res.headers.get('idempotent-replayed') === 'true') stats.replayed++;
          acked.set(n, { inquiryId: answer.inquiryId, trackingNo: answer.trackingNo, status: res.status });
          failed.delete(n);
          return;
        }
        last = `HTTP ${res.status} ${text.slice(0, 120)}`;
        if (res.status < 500 && res.status !== 429 && res.status !== 409) break; // a 4xx will not change
      } catch (error) {
        last = `${error.name}: ${error.cause?.code ?? error.message}`;
      }
      failed.set(n, last);
      await sleep(Math.min(8000, 250 * 2 ** (attempt - 1)));
    }
    failed.set(n, last);
  };

  for (let n = 0; n < o.count; n++) {
    const due = started + (n * 1000) / o.rate;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    while (inFlight >= maxInFlight) await sleep(5);
    inFlight++;
    const channel = o.channels?.channelOf(n) ?? 'app';
    pending.push(
      (channel === 'app' ? one(n) : o.channels.converse(n, channel)).finally(() => {
        inFlight--;
      }),
    );
    if (o.onProgress && n % Math.max(1, Math.round(o.rate * 5)) === 0) o.onProgress({ sent: n, acked: acked.size, inFlight, failing: failed.size });
  }
  await Promise.all(pending);
  return { acked, failed, ...stats, durationMs: Date.now() - started };
}
