/**
 * Counts how many real replies the brush-off detector flags, by flag, with a sample of each. Not part of the app
 * (it reads the reference corpus, which the runtime never does). Run after a build:
 * `node dist/apps/router/tools/brush-off-eval.js ../shared/data/corpus/replies.jsonl [minChars]`.
 * On the 2,816 replies of the Teddy Cup 2020 corpus with minChars=20: flagged=235 (too_short 61, formula_only 233).
 */
import { readFileSync } from 'node:fs';
import { detectBrushOff } from '../src/brushoff/brush-off.detector.js';

const [input, minChars = '20'] = process.argv.slice(2);
if (!input) {
  console.error('usage: brush-off-eval <replies.jsonl> [minChars]');
  process.exit(2);
}
const rows = readFileSync(input, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { id: string; reply: string });
const counts = { flagged: 0, too_short: 0, formula_only: 0 };
const samples: string[] = [];
for (const row of rows) {
  const flags = detectBrushOff(row.reply ?? '', { minChars: Number(minChars) });
  if (flags.length === 0) continue;
  counts.flagged++;
  for (const f of flags) counts[f]++;
  if (samples.length < 40) samples.push(`${flags.join('+')}\t${row.reply.slice(0, 80).replace(/\s+/g, ' ')}`);
}
console.log(samples.join('\n'));
console.log(`replies=${rows.length} flagged=${counts.flagged} too_short=${counts.too_short} formula_only=${counts.formula_only}`);
