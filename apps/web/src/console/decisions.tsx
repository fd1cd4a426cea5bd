import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, ROUTER } from '../lib/api.js';
import { time } from '../lib/format.js';
import { useSession } from './session.js';
import { UnitPicker, type Unit } from './unit-picker.js';

interface CaseRow {
  inquiryId: string;
  trackingNo: string | null;
  title: string | null;
  unitName: string | null;
  updatedAt: string;
  reason?: string | null;
  workingDays?: number;
  rating?: string;
}
interface FlaggedReply {
  inquiryId: string;
  unitId: string;
  text: string;
  flags: string[];
  at: string;
}
interface Pending {
  returned: CaseRow[];
  extensions: CaseRow[];
  reopenRequests: CaseRow[];
  flaggedReplies: FlaggedReply[];
}

/** What waits for the desk (docs/agency-api.md "Desk decisions"): returns, extensions, reopening, brush-off flags. */
export function Decisions() {
  const { token } = useSession();
  const [data, setData] = useState<Pending | null>(null);
  const [error, setError] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const load = () =>
    call<Pending>(`${ROUTER}/desk/decisions`, { token }).then(setData, (e) =>
      setError(e instanceof ApiError && e.routeMissing ? '路由服务尚未提供待决事项接口（/desk/decisions）。' : (e as Error).message),
    );
  useEffect(() => void load(), []);
  const decide = async (id: string, path: string, body: unknown, done: string) => {
    setMessage(null);
    try {
      await call(`${ROUTER}/desk/cases/${encodeURIComponent(id)}/${path}`, { method: 'POST', body, token });
      setMessage({ ok: true, text: done });
      await load();
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message });
    }
  };
  const title = (c: { title?: string | null; trackingNo?: string | null; inquiryId: string }) => c.title || c.trackingNo || c.inquiryId;
  return (
    <section class="card" aria-labelledby="dec-title">
      <h2 id="dec-title" tabIndex={-1} style="margin-top:0">
        待决事项
      </h2>
      {error && <p class="notice" role="alert">{error}</p>}
      {message && (
        <p role="status" class={message.ok ? 'ok' : 'error'}>
          {message.text}
        </p>
      )}
      {data && (
        <>
          <h3>单位退回（{data.returned.length}）</h3>
          {data.returned.map((c) => (
            <ReturnRow key={c.inquiryId} c={c} label={title(c)} decide={decide} />
          ))}
          <h3>延期申请（{data.extensions.length}）</h3>
          {data.extensions.map((c) => (
            <Row key={c.inquiryId} label={`${title(c)} · ${c.unitName} 申请 ${c.workingDays} 个工作日：${c.reason ?? ''}`}>
              {(reason) => (
                <>
                  <button type="button" disabled={!reason} onClick={() => decide(c.inquiryId, 'extension-decision', { grant: true, reason }, '已批准延期')}>
                    批准
                  </button>
                  <button type="button" disabled={!reason} onClick={() => decide(c.inquiryId, 'extension-decision', { grant: false, reason }, '已驳回延期')}>
                    驳回
                  </button>
                </>
              )}
            </Row>
          ))}
          <h3>不满意待定（{data.reopenRequests.length}）</h3>
          {data.reopenRequests.map((c) => (
            <Row key={c.inquiryId} label={`${title(c)} · ${c.unitName} · 评价：${c.rating ?? ''}`}>
              {(reason) => (
                <>
                  <button type="button" disabled={!reason} onClick={() => decide(c.inquiryId, 'reopen-decision', { reopen: true, reason }, '已重新交办')}>
                    重新办理
                  </button>
                  <button type="button" disabled={!reason} onClick={() => decide(c.inquiryId, 'reopen-decision', { reopen: false, reason }, '已办结')}>
                    办结
                  </button>
                </>
              )}
            </Row>
          ))}
          <h3>疑似敷衍答复（{data.flaggedReplies.length}）</h3>
          {data.flaggedReplies.map((r) => (
            <Row key={`${r.inquiryId}-${r.at}`} label={`${r.inquiryId} · ${time(r.at)} · ${r.flags.join('、')}：${r.text.slice(0, 60)}`}>
              {(reason) => (
                <>
                  <button type="button" disabled={!reason} onClick={() => decide(r.inquiryId, 'flag-review', { accept: true, reason }, '已认可答复')}>
                    认可答复
                  </button>
                  <button type="button" disabled={!reason} onClick={() => decide(r.inquiryId, 'flag-review', { accept: false, reason }, '已退回重办')}>
                    退回重办
                  </button>
                </>
              )}
            </Row>
          ))}
        </>
      )}
    </section>
  );
}

let rowSeq = 0;
function Row({ label, children }: { label: string; children(reason: string): preact.ComponentChildren }) {
  const [reason, setReason] = useState('');
  const [id] = useState(() => `dec-${++rowSeq}`);
  return (
    <div class="card" style="padding:.6rem">
      <p style="margin:0 0 .4rem">{label}</p>
      <div class="row">
        <div style="flex:1;min-width:12rem">
          <label for={id}>理由（必填）</label>
          <input id={id} value={reason} maxLength={2000} onInput={(e) => setReason(e.currentTarget.value)} />
        </div>
        {children(reason.trim())}
      </div>
    </div>
  );
}

function ReturnRow({ c, label, decide }: { c: CaseRow; label: string; decide(id: string, path: string, body: unknown, done: string): Promise<void> }) {
  const [unit, setUnit] = useState<Unit | null>(null);
  return (
    <Row label={`${label} · ${c.unitName ?? ''} 退回：${c.reason ?? ''}`}>
      {(reason) => (
        <>
          <div style="min-width:14rem">
            <UnitPicker id={`ret-${c.inquiryId}`} label="改派给" value={unit} onChange={setUnit} />
          </div>
          <button
            type="button"
            disabled={!reason || !unit}
            onClick={() => unit && decide(c.inquiryId, 'return-decision', { decision: 'reassign', unitId: unit.id, reason }, `已改派给 ${unit.shortName}`)}
          >
            改派
          </button>
          <button type="button" disabled={!reason} onClick={() => decide(c.inquiryId, 'return-decision', { decision: 'send_back', reason }, '已退回原单位办理')}>
            退回原单位
          </button>
        </>
      )}
    </Row>
  );
}
