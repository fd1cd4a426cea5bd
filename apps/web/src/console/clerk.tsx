import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, qs, ROUTER } from '../lib/api.js';
import { date, statusText, time } from '../lib/format.js';
import { useSession } from './session.js';

interface Summary {
  inquiryId: string;
  trackingNo: string | null;
  title: string | null;
  status: string;
  role: 'lead' | 'co';
  receivedAt: string;
  assignedAt: string | null;
  acceptDeadline: string | null;
  replyDeadline: string | null;
  acceptedAt: string | null;
  repliedAt: string | null;
  overdue: boolean;
}
interface Detail extends Summary {
  content: string;
  area: string | null;
  place: string | null;
  topic: string | null;
  unitName: string | null;
  replies: { unitId: string; text: string; attachments: Attachment[]; at: string; onTime: boolean; flagged: boolean; final: boolean }[];
  extension: { workingDays: number; reason: string; requestedAt: string; decision: string } | null;
}

/** A stored object from POST /agency/media (the media pipeline: checked, re-encoded, thumbnailed). */
interface Attachment {
  kind: string;
  objectKey: string;
  contentType: string;
  bytes: number;
}
const MAX_FILES = 9;
const kb = (n: number) => `${Math.max(1, Math.round(n / 1024))} KB`;

const missing = (e: unknown) => e instanceof ApiError && e.routeMissing;

/** A unit clerk's cases (docs/agency-api.md): deadlines in working days, accept, reply, return, extension. */
export function Clerk({ caseId }: { caseId?: string }) {
  return caseId ? <ClerkCase id={caseId} /> : <ClerkList />;
}

function ClerkList() {
  const { token } = useSession();
  const [status, setStatus] = useState('');
  const [clockFilter, setClockFilter] = useState('');
  const [rows, setRows] = useState<Summary[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    call<{ items: Summary[] }>(`${ROUTER}/agency/cases${qs({ status, clock: clockFilter, pageSize: 100 })}`, { token }).then(
      (r) => {
        setRows(r.items);
        setError('');
      },
      (e) => setError(missing(e) ? '路由服务尚未提供承办单位接口（/agency/cases）。' : (e as Error).message),
    );
  }, [status, clockFilter]);
  return (
    <section class="card" aria-labelledby="clerk-title">
      <h2 id="clerk-title" tabIndex={-1} style="margin-top:0">
        本单位诉求
      </h2>
      <div class="row" style="margin-bottom:.6rem">
        <div>
          <label for="f-status">状态</label>
          <select id="f-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">全部</option>
            <option value="assigned">待签收</option>
            <option value="accepted">办理中</option>
            <option value="extension_requested">申请延期</option>
            <option value="reopened">重新办理</option>
            <option value="replied">已答复</option>
          </select>
        </div>
        <div>
          <label for="f-clock">时限</label>
          <select id="f-clock" value={clockFilter} onChange={(e) => setClockFilter(e.currentTarget.value)}>
            <option value="">全部</option>
            <option value="due_soon">即将到期</option>
            <option value="overdue">已超期</option>
          </select>
        </div>
      </div>
      {error && <p class="notice" role="alert">{error}</p>}
      <div style="overflow-x:auto">
        <table>
          <caption class="sr-only">本单位的诉求及签收、答复期限（工作日）</caption>
          <thead>
            <tr>
              <th scope="col">诉求</th>
              <th scope="col">状态</th>
              <th scope="col">签收期限</th>
              <th scope="col">答复期限</th>
            </tr>
          </thead>
          <tbody>
            {rows?.map((r) => (
              <tr key={r.inquiryId} data-inquiry={r.inquiryId}>
                <td>
                  <a href={`#/clerk/${encodeURIComponent(r.inquiryId)}`}>{r.title || r.trackingNo || r.inquiryId}</a>
                  <div class="muted">
                    {r.trackingNo} {r.role === 'co' && <span class="tag">协办</span>}
                  </div>
                </td>
                <td>
                  {statusText(r.status)} {r.overdue && <span class="clock overdue">超期</span>}
                </td>
                <td>{date(r.acceptDeadline)}</td>
                <td>{date(r.replyDeadline)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows && rows.length === 0 && <p class="muted">暂无诉求。</p>}
    </section>
  );
}

function ClerkCase({ id }: { id: string }) {
  const { token } = useSession();
  const [c, setC] = useState<Detail | null>(null);
  const [error, setError] = useState('');
  const [text, setText] = useState('');
  const [attachments, setAttachments] = useState<(Attachment & { name: string })[]>([]);
  const [uploading, setUploading] = useState(false);
  const [reason, setReason] = useState('');
  const [days, setDays] = useState(5);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `${ROUTER}/agency/cases/${encodeURIComponent(id)}`;
  const load = () => call<Detail>(base, { token }).then(setC, (e) => setError(missing(e) ? '路由服务尚未提供承办单位接口。' : (e as Error).message));
  useEffect(() => void load(), [id]);
  const act = async (what: string, path: string, body: unknown, done: string): Promise<boolean> => {
    setBusy(true);
    setMessage(null);
    try {
      await call(`${base}/${path}`, { method: 'POST', body, token });
      setMessage({ ok: true, text: done });
      await load();
      return true;
    } catch (e) {
      setMessage({ ok: false, text: `${what}失败：${(e as Error).message}` });
      return false;
    } finally {
      setBusy(false);
    }
  };
  const upload = async (input: HTMLInputElement) => {
    const files = Array.from(input.files ?? []);
    if (files.length === 0) return;
    if (files.length + attachments.length > MAX_FILES) {
      setMessage({ ok: false, text: `最多 ${MAX_FILES} 个附件` });
      input.value = '';
      return;
    }
    const form = new FormData();
    for (const f of files) form.append('files', f, f.name);
    setUploading(true);
    setMessage(null);
    try {
      const r = await call<{ attachments: Attachment[] }>(`${ROUTER}/agency/media`, { method: 'POST', body: form, token });
      setAttachments([...attachments, ...r.attachments.map((a, i) => ({ ...a, name: files[i]?.name ?? a.objectKey }))]);
      setMessage({ ok: true, text: `已上传 ${r.attachments.length} 个附件` });
    } catch (e) {
      setMessage({ ok: false, text: `上传失败：${(e as Error).message}` });
    } finally {
      input.value = '';
      setUploading(false);
    }
  };
  if (error) return <p class="notice" role="alert">{error}</p>;
  if (!c) return <p aria-busy="true">正在加载…</p>;
  const open = ['assigned', 'accepted', 'reopened'].includes(c.status);
  return (
    <div class="grid2">
      <article class="card" aria-labelledby="case-title">
        <p style="margin:0">
          <a href="#/clerk">← 返回本单位诉求</a>
        </p>
        <h2 id="case-title" tabIndex={-1}>
          {c.title || '诉求详情'}
        </h2>
        <p class="muted">
          编号 {c.trackingNo} · {statusText(c.status)} · 受理 {time(c.receivedAt)} · 签收期限 {date(c.acceptDeadline)} · 答复期限{' '}
          {date(c.replyDeadline)} {c.overdue && <span class="clock overdue">超期</span>}
        </p>
        <p class="pre">{c.content}</p>
        <p class="muted">
          区域 {c.area ?? '—'} · 地点 {c.place ?? '—'} · 主题 {c.topic ?? '—'}
        </p>
        {c.extension && (
          <p class="notice">
            延期申请 {c.extension.workingDays} 个工作日（{c.extension.decision === 'pending' ? '待审批' : c.extension.decision === 'granted' ? '已批准' : '未批准'}）：{c.extension.reason}
          </p>
        )}
        <h3>答复</h3>
        {c.replies.length === 0 && <p class="muted">尚未答复。</p>}
        {c.replies.map((r, i) => (
          <div key={i} class="reply" style="margin-bottom:.5rem">
            {r.text}
            {r.attachments.length > 0 && <div class="muted">附件 {r.attachments.length} 个：{r.attachments.map((a) => (a.kind === 'video' ? '视频' : '照片')).join('、')}</div>}
            <div class="muted">
              {time(r.at)} {r.onTime ? '按时' : '超期'} {r.flagged && '· 被标记为敷衍答复，待受理台复核'}
            </div>
          </div>
        ))}
      </article>
      <section class="card" aria-labelledby="clerk-actions">
        <h2 id="clerk-actions" style="margin-top:0;font-size:1.05rem">
          办理
        </h2>
        {message && (
          <p role="status" class={message.ok ? 'ok' : 'error'}>
            {message.text}
          </p>
        )}
        {c.status === 'assigned' && (
          <button type="button" class="primary" disabled={busy} onClick={() => act('签收', 'accept', {}, '已签收')}>
            签收
          </button>
        )}
        {open && (
          <form
            style="margin-top:1rem"
            onSubmit={(e) => {
              e.preventDefault();
              const files = attachments.map(({ name: _name, ...a }) => a);
              void act('答复', 'reply', { text: text.trim(), attachments: files }, '已答复，答复将公开并告知市民').then((ok) => ok && setAttachments([]));
            }}
          >
            <fieldset>
              <legend>答复市民（公开）</legend>
              <label for="reply-text">答复内容</label>
              <textarea id="reply-text" value={text} maxLength={20000} onInput={(e) => setText(e.currentTarget.value)} />
              <label for="reply-files" style="margin-top:.4rem">
                附件（照片或视频，可多选，最多 {MAX_FILES} 个）
              </label>
              <input
                id="reply-files"
                type="file"
                multiple
                accept="image/jpeg,image/png,image/webp,image/heic,image/heif,video/mp4,video/quicktime"
                disabled={uploading || busy}
                onChange={(e) => void upload(e.currentTarget)}
              />
              {uploading && <p aria-busy="true" class="muted">正在上传…</p>}
              {attachments.length > 0 && (
                <ul class="files" aria-label="已上传的附件">
                  {attachments.map((a) => (
                    <li key={a.objectKey}>
                      <span>
                        {a.name} <span class="muted">（{a.kind === 'video' ? '视频' : '照片'}，{kb(a.bytes)}）</span>
                      </span>
                      <button type="button" class="link" aria-label={`移除附件 ${a.name}`} onClick={() => setAttachments(attachments.filter((x) => x !== a))}>
                        移除
                      </button>
                    </li>
                  ))}
                </ul>
              )}
              <button type="submit" class="primary" style="margin-top:.5rem" disabled={busy || uploading || !text.trim()}>
                提交答复
              </button>
            </fieldset>
          </form>
        )}
        {open && (
          <form style="margin-top:1rem" onSubmit={(e) => e.preventDefault()}>
            <fieldset>
              <legend>退回或申请延期</legend>
              <label for="clerk-reason">理由</label>
              <input id="clerk-reason" value={reason} maxLength={2000} onInput={(e) => setReason(e.currentTarget.value)} />
              <label for="ext-days" style="margin-top:.4rem">延期工作日（1–30）</label>
              <input id="ext-days" type="number" min={1} max={30} value={days} onInput={(e) => setDays(Number(e.currentTarget.value))} />
              <div class="row" style="margin-top:.5rem">
                {c.role === 'lead' && c.status !== 'reopened' && (
                  <button type="button" disabled={busy || !reason.trim()} onClick={() => act('退回', 'return', { reason: reason.trim() }, '已退回受理台')}>
                    退回（非本单位职责）
                  </button>
                )}
                {c.status !== 'assigned' && (
                  <button
                    type="button"
                    disabled={busy || !reason.trim() || !(days >= 1 && days <= 30)}
                    onClick={() => act('申请延期', 'extension', { workingDays: days, reason: reason.trim() }, '已提交延期申请')}
                  >
                    申请延期
                  </button>
                )}
              </div>
            </fieldset>
          </form>
        )}
      </section>
    </div>
  );
}
