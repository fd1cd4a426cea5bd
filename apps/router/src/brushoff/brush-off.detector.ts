import { FORMULA_PATTERNS, NOISE } from './brush-off.phrases.js';

export type BrushOffFlag = 'too_short' | 'formula_only';

export interface BrushOffOptions {
  /** A reply with fewer characters than this (punctuation and whitespace removed) is too short. */
  minChars: number;
  /** What is left after the formulas are removed must be at least this long to count as an answer. */
  minSubstance?: number;
}

/** Flags replies that answer nothing: too short, or only formulas (已收悉 / 已转相关部门 / 请咨询…). */
export function detectBrushOff(text: string, options: BrushOffOptions): BrushOffFlag[] {
  const flags: BrushOffFlag[] = [];
  const bare = text.replace(NOISE, '');
  if ([...bare].length < options.minChars) flags.push('too_short');
  let rest = text;
  for (const pattern of FORMULA_PATTERNS) rest = rest.replace(pattern, ' ');
  const substance = [...rest.replace(NOISE, '')].length;
  if (substance < (options.minSubstance ?? 15)) flags.push('formula_only');
  return flags;
}
