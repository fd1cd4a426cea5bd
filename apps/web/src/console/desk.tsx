import { useEffect, useRef, useState } from 'preact/hooks';
import { call, ROUTER } from '../lib/api.js';
import { clock, time } from '../lib/format.js';
import { openFeed } from '../lib/sse.js';
import { DeskCase } from './desk-case.js';
import { useSession } from './session.js';

export interface QueueEntry {
  inquiryId: string;
  trackingNo: string | null;
  title: string | null;
  content: string;
  receivedAt: string;
  deskDeadline: string;
  msLeft: number;
  overdue: boolean;
  reason: string | null;
  suggestions: { unitId: string; unitName: string; score: number }[];
  claimedBy: string | null;
  duplicateOf: string | null;
  area: string | null;
  topic: string | null;
}

/** The desk: the live queue (SSE tells us something changed; the queue is re-read) and the case view. */
export function Desk({ caseId }: { caseId?: string }) {
  const { token } = useSession();
  const [queue, setQueue] = useState<QueueEntry[] | null>(null);
  const [error, setError] = useState('');
  const [live, setLive] = useState<'connecting' | 'open' | 'closed'>('connecting');
  const [announce, setAnnounce] = useState('');
  const [now, setNow] = useState(Date.now());
  const known = useRef<Set<string> | null>(null);
  const fresh = useRef(new Set<string>());

  const load = async () => {
    try {
      const q = await call<QueueEntry[]>(`${ROUTER}/desk/queue`, { token });
      if (known.current) {
        const added = q.filter((e) => !known.current!.has(e.inquiryId));
        added.forEach((e) => fresh.current.add(e.inquiryId));
        if (added.length) setAnnounce(`新到 ${added.length} 件：${added.map((e) => e.title ?? e.trackingNo).join('、')}`);
      }
      known.current = new Set(q.map((e) => e.inquiryId));
      setQueue(q);
      setError('');
    } catch (e) {
      setError((e as Error).message);
    }
  };

  useEffect(() => {
    void load();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const close = openFeed(`${ROUTER}/desk/feed`, token, {
      onEvent: () => {
        clearTimeout(timer);
        timer = setTimeout(() => void load(), 150);
      },
      onState: (s) => {
        setLive(s);
        if (s === 'open') void load(); // whatever happened while we were away
      },
    });
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      close();
      clearInterval(tick);
      clearTimeout(timer);
    };
  }, [token]);

  if (caseId) return <DeskCase id={caseId} entry={queue?.find((e) => e.inquiryId === caseId) ?? null} onChanged={load} />;
  return (
    <section class="card" aria-labelledby="queue-title">
      <div class="row" style="justify-content:space-between;align-items:center">
        <h2 id="queue-title" tabIndex={-1} style="margin:0">
          待分派队列 {queue && <span class="muted">（{queue.length} 件）</span>}
        </h2>
        <span class={live === 'open' ? 'ok' : 'error'} data-testid="live-state">
          {live === 'open' ? '● 实时更新中' : live === 'connecting' ? '○ 正在连接…' : '○ 连接中断，正在重连'}
        </span>
      </div>
      <p class="sr-only" aria-live="polite">
        {announce}
      </p>
      {error && <p class="error" role="alert">{error}</p>}
      <div style="overflow-x:auto">
        <table>
          <caption class="sr-only">待分派的诉求，按受理时间排序，含 2 小时分派时限的剩余时间</caption>
          <thead>
            <tr>
              <th scope="col">时限</th>
              <th scope="col">诉求</th>
              <th scope="col" class="hide-sm">区域 / 主题</th>
              <th scope="col" class="hide-sm">建议单位</th>
              <th scope="col" class="hide-sm">受理时间</th>
              <th scope="col">认领</th>
            </tr>
          </thead>
          <tbody>
            {queue?.map((e) => {
              const c = clock(new Date(e.deskDeadline).getTime() - now);
              return (
                <tr key={e.inquiryId} class={fresh.current.has(e.inquiryId) ? 'fresh' : ''} data-inquiry={e.inquiryId}>
                  <td>
                    <span class={`clock ${c.band}`}>{c.text}</span>
                  </td>
                  <td>
                    <a href={`#/case/${encodeURIComponent(e.inquiryId)}`}>{e.title || e.content.slice(0, 24)}</a>
                    <div class="muted">
                      {e.trackingNo} {e.duplicateOf && <span class="tag">疑似重复</span>}
                      {e.reason && <span class="tag">{e.reason}</span>}
                    </div>
                  </td>
                  <td class="hide-sm">
                    {e.area ?? '—'} / {e.topic ?? '—'}
                  </td>
                  <td class="hide-sm">
                    {e.suggestions[0] ? `${e.suggestions[0].unitName}（${Math.round(e.suggestions[0].score * 100)}%）` : '—'}
                  </td>
                  <td class="hide-sm">{time(e.receivedAt)}</td>
                  <td>{e.claimedBy ?? '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {queue && queue.length === 0 && <p class="muted">队列已清空。</p>}
    </section>
  );
}
