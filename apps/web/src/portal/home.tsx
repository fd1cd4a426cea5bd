import { useEffect, useState } from 'preact/hooks';
import { APP, call, qs } from '../lib/api.js';
import { date, num, pct } from '../lib/format.js';
import type { Figures, Page, PublicCase } from './types.js';

export function CityFigures() {
  const [f, setF] = useState<Figures | null>(null);
  useEffect(() => void call<Figures>(`${APP}/portal/figures`).then(setF, () => setF(null)), []);
  if (!f) return null;
  const items: [string, string][] = [
    ['受理诉求', num(f.received)],
    ['已答复', num(f.replied)],
    ['答复率', pct(f.replyRate)],
    ['按时答复率', pct(f.onTimeRate)],
    ['满意率', pct(f.satisfactionRate)],
    ['浏览量', num(f.pageViews)],
  ];
  return (
    <section aria-labelledby="city-figures" class="card">
      <h2 id="city-figures" style="margin-top:0;font-size:1.05rem">全市数据</h2>
      <dl class="figures" style="margin:0">
        {items.map(([k, v]) => (
          <div class="figure" key={k}>
            <dt class="muted">{k}</dt>
            <dd style="margin:0">
              <b>{v}</b>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function Home({ route }: { route: string }) {
  const params = new URLSearchParams(route.split('?')[1] ?? '');
  const [q, setQ] = useState(params.get('q') ?? '');
  const page = Number(params.get('page') ?? 1) || 1;
  const [data, setData] = useState<Page<PublicCase> | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    setError('');
    call<Page<PublicCase>>(`${APP}/portal/cases${qs({ q: params.get('q'), page, pageSize: 20 })}`).then(setData, (e: Error) => setError(e.message));
  }, [route]);
  const submit = (e: Event) => {
    e.preventDefault();
    location.hash = `#/?${new URLSearchParams({ q }).toString()}`;
  };
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  return (
    <>
      <CityFigures />
      <section class="card" aria-labelledby="latest">
        <h2 id="latest" tabIndex={-1} style="margin-top:0;font-size:1.05rem">
          {params.get('q') ? `搜索“${params.get('q')}”` : '最新答复'}
        </h2>
        <form role="search" onSubmit={submit} class="row" style="margin-bottom:.8rem">
          <div style="flex:1;min-width:12rem">
            <label for="q">关键词（标题、内容、答复）</label>
            <input id="q" type="search" value={q} maxLength={100} onInput={(e) => setQ(e.currentTarget.value)} />
          </div>
          <button class="primary" type="submit">搜索</button>
        </form>
        {error && <p class="error" role="alert">{error}</p>}
        {data && data.items.length === 0 && <p class="muted">没有找到已答复的诉求。</p>}
        <ul class="list">
          {data?.items.map((c) => (
            <li key={c.inquiryId}>
              <a href={`#/case/${encodeURIComponent(c.inquiryId)}`}>
                <strong>{c.title || c.content.slice(0, 30)}</strong>
              </a>
              <div class="muted">
                {c.unitName && <span class="tag">{c.unitName}</span>}
                {c.county && <span class="tag">{c.county}</span>}
                受理 {date(c.receivedAt)} · 答复 {date(c.repliedAt)} · 浏览 {num(c.pageViews)}
              </div>
              <p style="margin:.3rem 0 0">回复：{c.reply.length > 80 ? `${c.reply.slice(0, 80)}…` : c.reply}</p>
            </li>
          ))}
        </ul>
        {data && pages > 1 && (
          <nav aria-label="分页" class="row" style="margin-top:.8rem">
            {page > 1 && <a href={`#/?${new URLSearchParams({ q: params.get('q') ?? '', page: String(page - 1) })}`}>上一页</a>}
            <span class="muted">
              第 {page} / {pages} 页，共 {data.total} 件
            </span>
            {page < pages && <a href={`#/?${new URLSearchParams({ q: params.get('q') ?? '', page: String(page + 1) })}`}>下一页</a>}
          </nav>
        )}
      </section>
    </>
  );
}
