import type { Attachment } from '@app/common';
import { SHANGHAI_OFFSET_MS } from '@app/common/calendar/shanghai-time.js';
import type { CaseContact } from '../contacts/contacts.repository.js';

/** Chinese texts of every message the notifier sends; one place, so wording changes touch one file. */

export const SITE = '榆林百姓问政';

/** `2026/11/28 09:05（北京时间）`, as zh-CN's Intl format writes it, without its cost (China keeps UTC+8 all year). */
export const beijingTime = (iso: string | undefined): string => {
  if (!iso) return '—';
  const s = new Date(new Date(iso).getTime() + SHANGHAI_OFFSET_MS).toISOString();
  return `${s.slice(0, 4)}/${s.slice(5, 7)}/${s.slice(8, 10)} ${s.slice(11, 16)}（北京时间）`;
};

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const caseRef = (c: Pick<CaseContact, 'trackingNo' | 'inquiryId'>): string => c.trackingNo ?? c.inquiryId;

export const CLOCK_NAMES = { desk: '分办', accept: '签收', reply: '答复' } as const;
export const RATING_PROMPT = '请对办理结果进行评价，直接回复：1 满意，2 基本满意，3 不满意（也可回复文字“满意”“基本满意”“不满意”）。';

/** Cuts `text` to `max` units (characters, or UTF-8 bytes) and points to the full text. */
export function fitWithLink(text: string, max: number, link: string, unit: 'chars' | 'bytes' = 'chars'): string {
  const size = (s: string): number => (unit === 'bytes' ? Buffer.byteLength(s, 'utf8') : [...s].length);
  if (size(text) <= max) return text;
  const tail = `……（全文：${link}）`;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(chars.slice(0, mid).join('') + tail) <= max) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, lo).join('') + tail;
}

export interface EmailBody {
  subject: string;
  text: string;
  html: string;
}

/** A notice with a heading, labelled facts, free paragraphs and links, as plain text and as HTML. */
export function emailBody(subject: string, heading: string, facts: [string, string][], paragraphs: string[], links: [string, string][]): EmailBody {
  const text = [
    heading,
    '',
    ...facts.map(([k, v]) => `${k}：${v}`),
    '',
    ...paragraphs,
    ...(links.length ? ['', ...links.map(([label, url]) => `${label}：${url}`)] : []),
    '',
    `—— ${SITE}（系统邮件，请勿直接回复）`,
  ].join('\n');
  const html = [
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>',
    `<h2>${escapeHtml(heading)}</h2>`,
    '<table>',
    ...facts.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    ...paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`),
    links.length ? `<ul>${links.map(([label, url]) => `<li><a href="${escapeHtml(url)}">${escapeHtml(label)}</a></li>`).join('')}</ul>` : '',
    `<p style="color:#888">—— ${SITE}（系统邮件，请勿直接回复）</p>`,
    '</body></html>',
  ].join('');
  return { subject, text, html };
}

export const photoLinks = (attachments: Attachment[], mediaBase: string): [string, string][] =>
  attachments
    .filter((a) => a.kind === 'photo' || a.kind === 'video')
    .map((a, i) => [`${a.kind === 'photo' ? '照片' : '视频'} ${i + 1}`, `${mediaBase}/${a.objectKey.split('/').map(encodeURIComponent).join('/')}`]);

export const summary = (content: string | undefined, max = 500): string =>
  !content ? '（无）' : [...content].length > max ? `${[...content].slice(0, max).join('')}……` : content;
