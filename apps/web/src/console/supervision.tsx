import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, qs, ROUTER } from '../lib/api.js';
import { date, num, pct, time } from '../lib/format.js';
import { BarChart, LineChart } from './charts.js';
import { useSession } from './session.js';

interface Stats {
  received: number;
  acceptedOnTime: number;
  replied: number;
  replyRate: number | null;
  repliedOnTime: number;
  avgWorkingHoursToReply: number | null;
  rated: number;
  satisfied: number;
  satisfactionRate: number | null;
  reopened: number;
  reopenRate: number | null;
  brushOffs: number;
}
type UnitStats = Stats & { unitId: string; unitName: string; ranked: boolean };
interface StatsAnswer {
  period: string;
  from: string;
  to: string;
  city: Stats;
  units: UnitStats[];
}
interface ClockRow {
  inquiryId: string;
  trackingNo: string | null;
  title: string | null;
  unitName: string;
  clock: 'accept' | 'reply';
  deadline: string;
  overdueHours: number;
}

const onTime = (s: Stats): number | null => (s.replied > 0 ? s.repliedOnTime / s.replied : null);
const missingText = (e: unknown) =>
  e instanceof ApiError && e.routeMissing ? '路由服务尚未提供督办接口（/supervision）。' : (e as Error).message;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
/** Periods start at Beijing midnight: label them in Beijing time ("2026/11/23" → week "11/23", month "2026/11"). */
const periodLabel = (period: string, from: string): string => {
  const [y, m, d] = date(from).split('/');
  return period === 'year' ? `${y}` : period === 'month' ? `${y}/${m}` : `${m}/${d}`;
};

export function Supervision() {
  const { token } = useSession();
  const [period, setPeriod] = useState<'week' | 'month' | 'year'>('month');
  const [stats, setStats] = useState<StatsAnswer | null>(null);
  const [trend, setTrend] = useState<StatsAnswer[]>([]);
  const [overdue, setOverdue] = useState<ClockRow[] | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    setError('');
    call<StatsAnswer>(`${ROUTER}/supervision/stats${qs({ period })}`, { token }).then(setStats, (e) => setError(missingText(e)));
    // Trend: the same figures for the last six periods (one request each; the API answers one period).
    const step = period === 'week' ? 7 : period === 'month' ? 30 : 365;
    const days = [5, 4, 3, 2, 1, 0].map((k) => isoDay(new Date(Date.now() - k * step * 86_400_000)));
    Promise.all(days.map((date) => call<StatsAnswer>(`${ROUTER}/supervision/stats${qs({ period, date })}`, { token }))).then(setTrend, () => setTrend([]));
  }, [period]);
  useEffect(() => void call<ClockRow[]>(`${ROUTER}/supervision/overdue`, { token }).then(setOverdue, (e) => setError(missingText(e))), []);

  const exportCsv = async () => {
    try {
      const res = await fetch(`${ROUTER}/supervision/stats.csv${qs({ period })}`, { headers: { Authorization: `Bearer ${token}` } });
      if (!res.ok) throw new ApiError(res.status, res.status === 404 ? '导出接口尚未提供或无数据' : `导出失败（${res.status}）`);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `问政统计-${period}-${isoDay(new Date())}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const units = (stats?.units ?? []).filter((u) => u.received > 0).sort((a, b) => b.received - a.received).slice(0, 15);
  return (
    <>
      <section class="card" aria-labelledby="sup-title">
        <div class="row" style="justify-content:space-between">
          <h2 id="sup-title" tabIndex={-1} style="margin:0">
            督办统计
          </h2>
          <div class="row">
            <div>
              <label for="period">周期</label>
              <select id="period" value={period} onChange={(e) => setPeriod(e.currentTarget.value as 'week')}>
                <option value="week">本周</option>
                <option value="month">本月</option>
                <option value="year">本年</option>
              </select>
            </div>
            <button type="button" onClick={exportCsv}>
              导出 CSV
            </button>
          </div>
        </div>
        {error && <p class="notice" role="alert">{error}</p>}
        {stats && (
          <dl class="figures" style="margin-top:.8rem">
            {(
              [
                ['受理', num(stats.city.received)],
                ['答复', num(stats.city.replied)],
                ['答复率', pct(stats.city.replyRate)],
                ['按时答复率', pct(onTime(stats.city))],
                ['满意率', pct(stats.city.satisfactionRate)],
                ['重办率', pct(stats.city.reopenRate)],
                ['敷衍答复', num(stats.city.brushOffs)],
              ] as [string, string][]
            ).map(([k, v]) => (
              <div class="figure" key={k}>
                <dt class="muted">{k}</dt>
                <dd style="margin:0">
                  <b>{v}</b>
                </dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      {stats && (
        <section class="card charts" aria-label="图表">
          <BarChart title="各单位答复率（受理量前 15）" rows={units.map((u) => ({ label: u.unitName, value: u.replyRate }))} format={pct} />
          <BarChart title="各单位按时答复率" rows={units.map((u) => ({ label: u.unitName, value: onTime(u) }))} format={pct} />
          <BarChart title="各单位满意率" rows={units.map((u) => ({ label: u.unitName, value: u.satisfactionRate }))} format={pct} />
          {trend.length > 0 && (
            <LineChart
              title="全市趋势"
              labels={trend.map((t) => periodLabel(period, t.from))}
              series={[
                { name: '答复率', color: '#b3261e', values: trend.map((t) => t.city.replyRate) },
                { name: '按时率', color: '#1a56db', values: trend.map((t) => onTime(t.city)) },
                { name: '满意率', color: '#1e7b34', values: trend.map((t) => t.city.satisfactionRate) },
              ]}
            />
          )}
        </section>
      )}
      <section class="card" aria-labelledby="overdue-title">
        <h2 id="overdue-title" style="margin-top:0;font-size:1.05rem">
          超期未办 {overdue && <span class="muted">（{overdue.length} 件）</span>}
        </h2>
        <div style="overflow-x:auto">
          <table>
            <caption class="sr-only">超过签收或答复期限仍未完成的诉求</caption>
            <thead>
              <tr>
                <th scope="col">诉求</th>
                <th scope="col">单位</th>
                <th scope="col">环节</th>
                <th scope="col">期限</th>
                <th scope="col">超期</th>
              </tr>
            </thead>
            <tbody>
              {overdue?.map((r) => (
                <tr key={`${r.inquiryId}-${r.clock}`}>
                  <td>
                    {r.title || r.inquiryId}
                    <div class="muted">{r.trackingNo}</div>
                  </td>
                  <td>{r.unitName}</td>
                  <td>{r.clock === 'accept' ? '签收' : '答复'}</td>
                  <td>{time(r.deadline)}</td>
                  <td>
                    <span class="clock overdue">{Math.round(r.overdueHours)} 小时</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {overdue && overdue.length === 0 && <p class="muted">没有超期的诉求。</p>}
      </section>
    </>
  );
}
