import { useEffect, useState } from 'preact/hooks';
import { call, ROUTER } from '../lib/api.js';
import { clock, statusText, time } from '../lib/format.js';
import { CaseMedia } from './case-media.js';
import type { QueueEntry } from './desk.js';
import type { DeskCaseDetail } from './desk-types.js';
import { PublicText } from './public-text.js';
import { useSession } from './session.js';
import { UnitPicker, type Unit } from './unit-picker.js';

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
  photos_reviewed: '照片审核',
  public_text_masked: '公开文本脱敏',
};

const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)}%`);

const REJECT: [string, string][] = [
  ['spam', '垃圾信息'],
  ['abuse', '辱骂攻击'],
  ['not_government', '非政府职责'],
  ['duplicate_content', '重复内容'],
  ['other', '其他'],
];

export function DeskCase({ id, entry: onDesk, onChanged }: { id: string; entry: QueueEntry | null; onChanged(): Promise<void> }) {
  const { token, role } = useSession();
  const [detail, setDetail] = useState<DeskCaseDetail | null>(null);
  const [loadError, setLoadError] = useState('');
  const [unit, setUnit] = useState<Unit | null>(null);
  const [reason, setReason] = useState('');
  const [mergeInto, setMergeInto] = useState('');
  const [rejectCategory, setRejectCategory] = useState('not_government');
  const [question, setQuestion] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = () =>
    call<DeskCaseDetail>(`${ROUTER}/desk/cases/${encodeURIComponent(id)}`, { token }).then(
      (d) => {
        setDetail(d);
        setLoadError('');
      },
      (e) => setLoadError((e as Error).message),
    );
  useEffect(() => {
    setDetail(null);
    void load();
  }, [id]);
  // The live queue saw the case claimed or leave the desk: the view follows.
  const queueState = onDesk ? `on:${onDesk.claimedBy ?? ''}` : 'off';
  useEffect(() => {
    if (detail) void load();
  }, [queueState]);

  const act = async (what: string, path: string, body: unknown, done: string) => {
    setBusy(true);
    setMessage(null);
    try {
      await call(`${ROUTER}/desk/cases/${encodeURIComponent(id)}/${path}`, { method: 'POST', body, token });
      setMessage({ ok: true, text: done });
      await Promise.all([onChanged(), load()]);
    } catch (e) {
      setMessage({ ok: false, text: `${what}失败：${(e as Error).message}` });
    } finally {
      setBusy(false);
    }
  };
  const needReason = !reason.trim();

  return (
    <div class="grid2">
      <article class="card" aria-labelledby="case-title">
        <p style="margin:0">
          <a href="#/">← 返回队列</a>
        </p>
        <h2 id="case-title" tabIndex={-1}>
          {detail?.title || onDesk?.title || '诉求详情'}
        </h2>
        {loadError && (
          <p class="error" role="alert">
            {loadError}
          </p>
        )}
        {detail && <CaseBody d={detail} canReview={role === 'desk'} reload={load} />}
        {!onDesk && detail && <p class="notice">此件已不在待分派队列中（{statusText(detail.status)}）。仍可查看流转记录、审核照片，或改派。</p>}
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

function CaseBody({ d, canReview, reload }: { d: DeskCaseDetail; canReview: boolean; reload(): Promise<void> }) {
  const c = d.deskDeadline && d.status === 'queued_for_desk' ? clock(new Date(d.deskDeadline).getTime() - Date.now()) : null;
  const { latitude, longitude, address, area, place } = d.location;
  return (
    <>
      <p class="muted">
        编号 {d.trackingNo ?? '—'} · {statusText(d.status)} · 受理 {time(d.receivedAt)}
        {c && (
          <>
            {' · '}
            <span class={`clock ${c.band}`}>{c.text}</span>
          </>
        )}
        {d.claimedBy && ` · 认领人 ${d.claimedBy}`}
      </p>
      <p class="pre" data-testid="desk-content">
        {d.content}
      </p>
      <h3>照片与视频</h3>
      <CaseMedia id={d.inquiryId} attachments={d.attachments} canReview={canReview} onSaved={reload} />
      <h3>位置</h3>
      <dl data-testid="desk-location">
        <dt class="muted">区县 / 地点（地名库）</dt>
        <dd>
          {area ?? '未识别'}
          {place && ` · ${place}`}
        </dd>
        <dt class="muted">市民提供的地址</dt>
        <dd>{address ?? '—'}</dd>
        <dt class="muted">坐标</dt>
        <dd>{latitude !== undefined && longitude !== undefined ? `纬度 ${latitude.toFixed(5)}，经度 ${longitude.toFixed(5)}` : '市民未提供坐标'}</dd>
        <dt class="muted">主题 / 类型</dt>
        <dd>
          {d.classification.topic ?? '未识别'}（{pct(d.classification.topicConfidence)}）· {d.classification.inquiryType ?? '—'}
        </dd>
        <dt class="muted">进入人工分派的原因</dt>
        <dd>{d.deskReason ?? '—'}</dd>
        {d.unit && (
          <>
            <dt class="muted">承办单位</dt>
            <dd>{d.unit.unitName}</dd>
          </>
        )}
      </dl>
      <h3>分类建议</h3>
      {d.suggestions.length === 0 && <p class="muted">无建议</p>}
      <ul class="list">
        {d.suggestions.map((s) => (
          <li key={s.unitId} class="row" style="align-items:center">
            <span style="min-width:8rem">{s.unitName}</span>
            <span class="bar" style="flex:1" role="img" aria-label={`置信度 ${Math.round(s.score * 100)}%`}>
              <span style={`width:${Math.round(s.score * 100)}%`} />
            </span>
            <span>{Math.round(s.score * 100)}%</span>
          </li>
        ))}
      </ul>
      <h3>疑似重复</h3>
      {d.duplicates.length === 0 && <p class="muted">近 30 天同区域无相似诉求</p>}
      <ul class="list">
        {d.duplicates.map((x) => (
          <li key={x.inquiryId}>
            <a href={`#/case/${encodeURIComponent(x.inquiryId)}`}>{x.title || x.trackingNo || x.inquiryId}</a>{' '}
            <span class="muted">
              {x.trackingNo} · {statusText(x.status)} · 相似度 {Math.round(x.similarity * 100)}%
            </span>{' '}
            {x.flagged && <span class="tag">系统判定重复</span>}
          </li>
        ))}
      </ul>
      {canReview && <PublicText id={d.inquiryId} text={d.publicText} onSaved={reload} />}
      <h3>流转记录</h3>
      <ol class="timeline">
        {d.timeline.map((a, i) => (
          <li key={i}>
            <strong>{ACTIONS[a.action] ?? a.action}</strong> <span class="muted">{time(a.at)} · {a.actor}</span>
            {a.reason && <div>{a.reason}</div>}
          </li>
        ))}
      </ol>
    </>
  );
}
