/**
 * `node dist/apps/router/tools/type-eval.js <file.jsonl>`: the rule-based inquiry-type classifier on lines of
 * {"text","label"}; prints a confusion table and, last, `accuracy=… n=…`.
 */
import { readFileSync } from 'node:fs';
import { INQUIRY_TYPES, type InquiryType } from '@app/common/contracts/common.schemas.js';
import { classifyInquiryType } from '../src/routing/inquiry-type.js';

const [input] = process.argv.slice(2);
if (!input) {
  console.error('usage: type-eval <file.jsonl>');
  process.exit(2);
}
const rows = readFileSync(input, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { text: string; label: InquiryType });
const confusion = new Map<string, number>();
let correct = 0;
for (const r of rows) {
  const predicted = classifyInquiryType(r.text);
  if (predicted === r.label) correct++;
  confusion.set(`${r.label}→${predicted}`, (confusion.get(`${r.label}→${predicted}`) ?? 0) + 1);
}
for (const truth of INQUIRY_TYPES) {
  const cells = INQUIRY_TYPES.map((p) => `${p}:${confusion.get(`${truth}→${p}`) ?? 0}`);
  console.log(`${truth}\t${cells.join('\t')}`);
}
console.log(`accuracy=${(correct / rows.length).toFixed(4)} n=${rows.length}`);
