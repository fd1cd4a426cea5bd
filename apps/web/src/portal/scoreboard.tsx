import { useEffect, useState } from 'preact/hooks';
import { APP, call } from '../lib/api.js';
import { num, pct } from '../lib/format.js';
import { CityFigures } from './home.js';
import type { Figures } from './types.js';

type Key = 'replyRate' | 'onTimeRate' | 'satisfactionRate' | 'received';

export function Scoreboard() {
  const [rows, setRows] = useState<Figures[] | null>(null);
  const [sort, setSort] = useState<Key>('replyRate');
  const [error, setError] = useState('');
  useEffect(() => void call<Figures[]>(`${APP}/portal/units`).then(setRows, (e: Error) => setError(e.message)), []);
  const sorted = [...(rows ?? [])].sort((a, b) => (b[sort] ?? -1) - (a[sort] ?? -1));
  return (
    <>
      <CityFigures />
      <section class="card" aria-labelledby="board">
        <h2 id="board" tabIndex={-1} style="margin-top:0;font-size:1.05rem">
          承办单位排行
        </h2>
        <div style="max-width:14rem;margin-bottom:.6rem">
          <label for="sort">排序</label>
          <select id="sort" value={sort} onChange={(e) => setSort(e.currentTarget.value as Key)}>
            <option value="replyRate">答复率</option>
            <option value="onTimeRate">按时答复率</option>
            <option value="satisfactionRate">满意率</option>
            <option value="received">受理量</option>
          </select>
        </div>
        {error && <p class="error" role="alert">{error}</p>}
        <div style="overflow-x:auto">
          <table>
            <caption class="sr-only">各承办单位的受理、答复和满意数据</caption>
            <thead>
              <tr>
                <th scope="col">单位</th>
                <th scope="col">受理</th>
                <th scope="col" class="hide-sm">答复</th>
                <th scope="col">答复率</th>
                <th scope="col" class="hide-sm">按时</th>
                <th scope="col">满意率</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((u) => (
                <tr key={u.unitId}>
                  <th scope="row" style="font-weight:normal;color:inherit">{u.unitName}</th>
                  <td>{num(u.received)}</td>
                  <td class="hide-sm">{num(u.replied)}</td>
                  <td>{pct(u.replyRate)}</td>
                  <td class="hide-sm">{pct(u.onTimeRate)}</td>
                  <td>{pct(u.satisfactionRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {rows && rows.length === 0 && <p class="muted">暂无数据。</p>}
      </section>
    </>
  );
}
