const dt = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
const d = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

export const time = (iso?: string | null): string => (iso ? dt.format(new Date(iso)) : '—');
export const date = (iso?: string | null): string => (iso ? d.format(new Date(iso)) : '—');
export const pct = (r?: number | null): string => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);
export const num = (n?: number | null): string => (n === null || n === undefined ? '—' : n.toLocaleString('zh-CN'));

/** The desk's 2-hour clock: "1:05:09 剩余" or "超时 0:12:30", and its colour band. */
export function clock(msLeft: number): { text: string; band: 'ok' | 'warn' | 'urgent' | 'overdue' } {
  const abs = Math.abs(msLeft);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const s = Math.floor((abs % 60_000) / 1000);
  const hms = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  if (msLeft < 0) return { text: `超时 ${hms}`, band: 'overdue' };
  return { text: `剩余 ${hms}`, band: msLeft < 30 * 60_000 ? 'urgent' : msLeft < 60 * 60_000 ? 'warn' : 'ok' };
}

export const STATUS: Record<string, string> = {
  received: '已接收',
  classified: '已分类',
  queued_for_desk: '待分派',
  awaiting_info: '待补充',
  assigned: '已交办',
  accepted: '办理中',
  returned: '已退回',
  extension_requested: '申请延期',
  replied: '已答复',
  reopened: '重新办理',
  rated: '已评价',
  closed: '已办结',
  merged: '已合并',
  rejected: '不予受理',
};
export const statusText = (s?: string | null): string => (s ? (STATUS[s] ?? s) : '—');
