import { useEffect, useState } from 'preact/hooks';
import { call, ROUTER } from '../lib/api.js';
import { clock, time } from '../lib/format.js';
import type { QueueEntry } from './desk.js';
import { useSession } from './session.js';
import { UnitPicker, type Unit } from './unit-picker.js';

interface AuditRow {
  action: string;
  actor: string;
  reason: string | null;
  at: string;
}

const ACTIONS: Record<string, string> = {
  queued_for_desk: '进入分派队列',
  claimed: '认领',
  assigned: '交办',
  reassigned: '改派',
  merged: '合并',
  rejected: '不予受理',
  info_requested: '请市民补充信息',
  accepted: '单位签收',
  replied: '单位答复',
  returned: '单位退回',
};

const REJECT: [string, string][] = [
  ['spam', '垃圾信息'],
  ['abuse', '辱骂攻击'],
  ['not_government', '非政府职责'],
  ['duplicate_content', '重复内容'],
  ['other', '其他'],
];

export function DeskCase({ id, entry: onDesk, onChanged }: { id: string; entry: QueueEntry | null; onChanged(): Promise<void> }) {
  const { token } = useSession();
  // The last queue entry seen stays on screen after the case leaves the queue (assigned, merged, rejected).
  const [seen, setSeen] = useState<QueueEntry | null>(onDesk);
  useEffect(() => {
    if (onDesk) setSeen(onDesk);
  }, [onDesk]);
  const entry = onDesk ?? (seen?.inquiryId === id ? seen : null);
  const [audit, setAudit] = useState<AuditRow[]>([]);
  const [unit, setUnit] = useState<Unit | null>(null);
  const [reason, setReason] = useState('');
  const [mergeInto, setMergeInto] = useState('');
  const [rejectCategory, setRejectCategory] = useState('not_government');
  const [question, setQuestion] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const loadAudit = () => call<AuditRow[]>(`${ROUTER}/desk/cases/${encodeURIComponent(id)}/audit`, { token }).then(setAudit, () => setAudit([]));
  useEffect(() => void loadAudit(), [id]);

  const act = async (what: string, path: string, body: unknown, done: string) => {
    setBusy(true);
    setMessage(null);
    try {
      await call(`${ROUTER}/desk/cases/${encodeURIComponent(id)}/${path}`, { method: 'POST', body, token });
      setMessage({ ok: true, text: done });
      await Promise.all([onChanged(), loadAudit()]);
    } catch (e) {
      setMessage({ ok: false, text: `${what}失败：${(e as Error).message}` });
    } finally {
      setBusy(false);
    }
  };
  const c = onDesk ? clock(new Date(onDesk.deskDeadline).getTime() - Date.now()) : null;
  const needReason = !reason.trim();

  return (
    <div class="grid2">
      <article class="card" aria-labelledby="case-title">
        <p style="margin:0">
          <a href="#/">← 返回队列</a>
        </p>
        <h2 id="case-title" tabIndex={-1}>
          {entry?.title || '诉求详情'}
        </h2>
        {entry ? (
          <>
            <p class="muted">
              编号 {entry.trackingNo ?? '—'} · 受理 {time(entry.receivedAt)}
              {c && (
                <>
                  {' · '}
                  <span class={`clock ${c.band}`}>{c.text}</span>
                </>
              )}
              {entry.claimedBy && ` · 认领人 ${entry.claimedBy}`}
            </p>
            <p class="pre">{entry.content}</p>
            <dl>
              <dt class="muted">区域 / 地点</dt>
              <dd>{entry.area ?? '未识别'}</dd>
              <dt class="muted">主题</dt>
              <dd>{entry.topic ?? '未识别'}</dd>
              <dt class="muted">进入人工分派的原因</dt>
              <dd>{entry.reason ?? '—'}</dd>
              {entry.duplicateOf && (
                <>
                  <dt class="muted">疑似重复</dt>
                  <dd>
                    <a href={`#/case/${encodeURIComponent(entry.duplicateOf)}`}>{entry.duplicateOf}</a>
                  </dd>
                </>
              )}
            </dl>
            <h3>分类建议</h3>
            {entry.suggestions.length === 0 && <p class="muted">无建议</p>}
            <ul class="list">
              {entry.suggestions.map((s) => (
                <li key={s.unitId} class="row" style="align-items:center">
                  <span style="min-width:8rem">{s.unitName}</span>
                  <span class="bar" style="flex:1" role="img" aria-label={`置信度 ${Math.round(s.score * 100)}%`}>
                    <span style={`width:${Math.round(s.score * 100)}%`} />
                  </span>
                  <span>{Math.round(s.score * 100)}%</span>
                </li>
              ))}
            </ul>
            <p class="muted">附件与定位：分派队列接口暂不提供照片、视频和坐标；审核见“照片审核”。</p>
          </>
        ) : null}
        {!onDesk && <p class="notice">此件已不在待分派队列中（已交办、合并或办结）。仍可查看流转记录，或改派。</p>}
        <h3>流转记录</h3>
        <ol class="timeline">
          {audit.map((a, i) => (
            <li key={i}>
              <strong>{ACTIONS[a.action] ?? a.action}</strong> <span class="muted">{time(a.at)} · {a.actor}</span>
              {a.reason && <div>{a.reason}</div>}
            </li>
          ))}
        </ol>
      </article>

      <section class="card" aria-labelledby="actions-title">
        <h2 id="actions-title" style="margin-top:0;font-size:1.05rem">
          处理
        </h2>
        {message && (
          <p role="status" class={message.ok ? 'ok' : 'error'}>
            {message.text}
          </p>
        )}
        {onDesk && (
          <button type="button" disabled={busy} onClick={() => act('认领', 'claim', undefined, '已认领，15 分钟内其他受理员不能处理此件')}>
            认领
          </button>
        )}
        <form
          style="margin-top:1rem"
          onSubmit={(e) => {
            e.preventDefault();
            if (unit) void act('交办', 'assign', { unitId: unit.id, coUnitIds: [], reason: reason.trim() }, `已交办给 ${unit.shortName}`);
          }}
        >
          <fieldset>
            <legend>{onDesk ? '交办' : '改派'}</legend>
            <UnitPicker id="unit" label="承办单位" value={unit} onChange={setUnit} />
            <label for="reason" style="margin-top:.5rem">理由（必填，记录在案）</label>
            <input id="reason" value={reason} maxLength={2000} onInput={(e) => setReason(e.currentTarget.value)} />
            <button class="primary" type="submit" style="margin-top:.5rem" disabled={busy || !unit || needReason}>
              {onDesk ? '交办' : '改派'}
            </button>
          </fieldset>
        </form>
        {onDesk && (
          <>
            <form
              style="margin-top:1rem"
              onSubmit={(e) => {
                e.preventDefault();
                void act('合并', 'merge', { intoInquiryId: mergeInto.trim(), reason: reason.trim() }, '已合并');
              }}
            >
              <fieldset>
                <legend>合并到另一件（重复诉求）</legend>
                <label for="merge-into">目标诉求 ID</label>
                <input id="merge-into" value={mergeInto || onDesk.duplicateOf || ''} onInput={(e) => setMergeInto(e.currentTarget.value)} />
                <button type="submit" style="margin-top:.5rem" disabled={busy || needReason || !(mergeInto || onDesk.duplicateOf)}>
                  合并（使用上方理由）
                </button>
              </fieldset>
            </form>
            <form
              style="margin-top:1rem"
              onSubmit={(e) => {
                e.preventDefault();
                void act('不予受理', 'reject', { category: rejectCategory, reason: reason.trim() }, '已不予受理，理由将告知市民');
              }}
            >
              <fieldset>
                <legend>不予受理（理由市民可见）</legend>
                <label for="reject-category">类别</label>
                <select id="reject-category" value={rejectCategory} onChange={(e) => setRejectCategory(e.currentTarget.value)}>
                  {REJECT.map(([v, t]) => (
                    <option key={v} value={v}>
                      {t}
                    </option>
                  ))}
                </select>
                <button type="submit" style="margin-top:.5rem" disabled={busy || needReason}>
                  不予受理（使用上方理由）
                </button>
              </fieldset>
            </form>
            <form
              style="margin-top:1rem"
              onSubmit={(e) => {
                e.preventDefault();
                void act('请求补充', 'request-info', { question: question.trim() }, '已向市民发送补充信息请求');
              }}
            >
              <fieldset>
                <legend>请市民补充信息</legend>
                <label for="question">问题</label>
                <input id="question" value={question} maxLength={2000} onInput={(e) => setQuestion(e.currentTarget.value)} />
                <button type="submit" style="margin-top:.5rem" disabled={busy || !question.trim()}>
                  发送
                </button>
              </fieldset>
            </form>
          </>
        )}
      </section>
    </div>
  );
}
