import { useEffect, useState } from 'preact/hooks';
import { APP, call } from '../lib/api.js';
import { num, statusText, time } from '../lib/format.js';
import type { PublicCase } from './types.js';

export function CasePage({ id }: { id: string }) {
  const [c, setC] = useState<PublicCase | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    call<PublicCase>(`${APP}/portal/cases/${encodeURIComponent(id)}`).then(setC, (e: Error) => setError(e.message));
  }, [id]);
  if (error)
    return (
      <section class="card">
        <h2 tabIndex={-1}>诉求详情</h2>
        <p class="error" role="alert">{error}</p>
        <a href="#/">返回最新答复</a>
      </section>
    );
  if (!c) return <p aria-busy="true">正在加载…</p>;
  return (
    <article class="card" aria-labelledby="case-title">
      <p style="margin:0">
        <a href="#/">← 返回</a>
      </p>
      <h2 id="case-title" tabIndex={-1}>{c.title || '市民诉求'}</h2>
      <p class="muted">
        编号 {c.trackingNo ?? '—'} · {statusText(c.status)} · 受理 {time(c.receivedAt)} · 浏览 {num(c.pageViews)}
        {c.county && ` · ${c.county}`}
        {c.category && ` · ${c.category}`}
      </p>
      <h3>诉求内容</h3>
      <p class="pre" data-testid="case-content">{c.content}</p>
      {c.photos && c.photos.length > 0 && (
        <div class="photos" aria-label="照片">
          {c.photos.map((p, i) => (
            <a key={p.url} href={APP + p.url}>
              <img src={APP + (p.thumbnailUrl ?? p.url)} alt={`诉求照片 ${i + 1}`} loading="lazy" />
            </a>
          ))}
        </div>
      )}
      <h3>
        {c.unitName ?? '承办单位'}的答复 <span class="muted">{time(c.repliedAt)}</span>
      </h3>
      <div class="reply" data-testid="case-reply">{c.reply}</div>
    </article>
  );
}
