import type { Stats } from './supervision.service.js';

const COLUMNS: [keyof Stats, string][] = [
  ['unitName', '单位'],
  ['received', '受理件数'],
  ['acceptedOnTime', '按时签收'],
  ['replied', '已答复'],
  ['replyRate', '答复率'],
  ['repliedOnTime', '按时答复'],
  ['avgWorkingHoursToReply', '平均答复用时（工作小时）'],
  ['rated', '评价数'],
  ['satisfied', '满意及基本满意'],
  ['satisfactionRate', '满意率'],
  ['reopened', '重办件数'],
  ['reopenRate', '重办率'],
  ['brushOffs', '敷衍答复'],
];

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  // Quote, and defuse spreadsheet formulas in unit names (=, +, -, @).
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** UTF-8 with a BOM so Excel opens the Chinese headers correctly. */
export function statsCsv(city: Stats, units: Stats[]): string {
  const lines = [COLUMNS.map(([, h]) => h), ...[city, ...units].map((s) => COLUMNS.map(([k]) => cell(s[k])))];
  return '\uFEFF' + lines.map((l) => l.join(',')).join('\r\n') + '\r\n';
}
