import type { CalendarDay, CalendarYearData } from './calendar.types.js';
import { civilDateOf, parseCivilDate } from './shanghai-time.js';

/*
 * The State Council General Office's (国务院办公厅) yearly notices on public holidays, transcribed by hand.
 * Each block is written the way its notice words it ("X月X日至X日放假调休", "X月X日（周日）上班") so it can be
 * checked line by line against the notice; weekend days inside a block are listed too (they change nothing in
 * the arithmetic but name the day). Cross-checked against the npm package `chinese-days`
 * (vsme/chinese-days, src/holidays/generate.ts) for 2024 and 2025 and against three reprints of the Xinhua
 * text for 2026. Sources per year are in `source`; see README.md for how to add a year.
 */

function off(name: string, from: string, to = from): CalendarDay[] {
  const first = parseCivilDate(from);
  const last = parseCivilDate(to);
  if (first === undefined || last === undefined || last < first) throw new Error(`bad holiday block ${from}..${to}`);
  const days: CalendarDay[] = [];
  for (let day = first; day <= last; day++) days.push({ date: civilDateOf(day), kind: 'holiday', name });
  return days;
}

function work(name: string, ...dates: string[]): CalendarDay[] {
  return dates.map((date) => ({ date, kind: 'workday', name: `${name}调休上班` }));
}

export const CHINA_HOLIDAYS: readonly CalendarYearData[] = [
  {
    year: 2024,
    source:
      '国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号，2023-10-25）' +
      ' https://www.gov.cn/zhengce/content/202310/content_6911527.htm',
    days: [
      // 一、元旦：1月1日放假，与周末连休（2023年12月30、31日是2023年的周末）。
      ...off('元旦', '2024-01-01'),
      // 二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。
      // 除夕（2月9日）只是"鼓励安排职工休息"，仍是工作日。
      ...off('春节', '2024-02-10', '2024-02-17'),
      ...work('春节', '2024-02-04', '2024-02-18'),
      // 三、清明节：4月4日至6日放假调休，共3天。4月7日（星期日）上班。
      ...off('清明节', '2024-04-04', '2024-04-06'),
      ...work('清明节', '2024-04-07'),
      // 四、劳动节：5月1日至5日放假调休，共5天。4月28日（星期日）、5月11日（星期六）上班。
      ...off('劳动节', '2024-05-01', '2024-05-05'),
      ...work('劳动节', '2024-04-28', '2024-05-11'),
      // 五、端午节：6月10日放假，与周末连休。
      ...off('端午节', '2024-06-08', '2024-06-10'),
      // 六、中秋节：9月15日至17日放假调休，共3天。9月14日（星期六）上班。
      ...off('中秋节', '2024-09-15', '2024-09-17'),
      ...work('中秋节', '2024-09-14'),
      // 七、国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。
      ...off('国庆节', '2024-10-01', '2024-10-07'),
      ...work('国庆节', '2024-09-29', '2024-10-12'),
    ],
  },
  {
    year: 2025,
    source:
      '国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024-11-12）' +
      ' https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm',
    days: [
      // 一、元旦：1月1日（周三）放假1天，不调休。
      ...off('元旦', '2025-01-01'),
      // 二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
      ...off('春节', '2025-01-28', '2025-02-04'),
      ...work('春节', '2025-01-26', '2025-02-08'),
      // 三、清明节：4月4日（周五）至6日（周日）放假，共3天。
      ...off('清明节', '2025-04-04', '2025-04-06'),
      // 四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
      ...off('劳动节', '2025-05-01', '2025-05-05'),
      ...work('劳动节', '2025-04-27'),
      // 五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
      ...off('端午节', '2025-05-31', '2025-06-02'),
      // 六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
      ...off('国庆节、中秋节', '2025-10-01', '2025-10-08'),
      ...work('国庆节、中秋节', '2025-09-28', '2025-10-11'),
    ],
  },
  {
    year: 2026,
    source:
      '国务院办公厅关于2026年部分节假日安排的通知（2025-11-04，新华社全文）' +
      ' https://politics.gmw.cn/2025-11/04/content_38391083.htm',
    days: [
      // 一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
      ...off('元旦', '2026-01-01', '2026-01-03'),
      ...work('元旦', '2026-01-04'),
      // 二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
      ...off('春节', '2026-02-15', '2026-02-23'),
      ...work('春节', '2026-02-14', '2026-02-28'),
      // 三、清明节：4月4日（周六）至6日（周一）放假，共3天。
      ...off('清明节', '2026-04-04', '2026-04-06'),
      // 四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
      ...off('劳动节', '2026-05-01', '2026-05-05'),
      ...work('劳动节', '2026-05-09'),
      // 五、端午节：6月19日（周五）至21日（周日）放假，共3天。
      ...off('端午节', '2026-06-19', '2026-06-21'),
      // 六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
      ...off('中秋节', '2026-09-25', '2026-09-27'),
      // 七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
      ...off('国庆节', '2026-10-01', '2026-10-07'),
      ...work('国庆节', '2026-09-20', '2026-10-10'),
    ],
  },
];
