/**
 * `npm run route:eval -- <file.jsonl> [--threshold 0.8]`: runs the whole routing decision (no Kafka, no
 * database: the seeded units and catalogue from apps/router/data) on lines of {"text","unit","alternatives"?}
 * and prints, as its last line, `auto_share=… auto_precision=… top1=… top3=… n=…`.
 */
import { readFileSync } from 'node:fs';
import { TopicModel } from '../src/classifier/topic-model.js';
import { Dispatcher } from '../src/routing/dispatch.js';
import { Gazetteer } from '../src/routing/gazetteer.js';
import { loadGazetteerData, loadSeedRules, loadSeedUnits, seedRoutingUnits } from '../src/routing/seed-data.js';

const args = process.argv.slice(2);
const input = args.find((a) => !a.startsWith('--') && !/^\d/.test(a));
const thresholdAt = args.indexOf('--threshold');
const threshold = thresholdAt >= 0 ? Number(args[thresholdAt + 1]) : 0.8;
const dataDir = 'apps/router/data';
if (!input) {
  console.error('usage: route-eval <file.jsonl> [--threshold 0.8] [--verbose]');
  process.exit(2);
}
const units = loadSeedUnits(dataDir);
const dispatcher = new Dispatcher(
  seedRoutingUnits(units),
  loadSeedRules(dataDir, units),
  new Gazetteer(loadGazetteerData(dataDir)),
  TopicModel.load(`${dataDir}/topic-model.json`),
);
const rows = readFileSync(input, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { text: string; unit: string; alternatives?: string[] });
let auto = 0;
let autoCorrect = 0;
let top1 = 0;
let top3 = 0;
for (const row of rows) {
  const d = dispatcher.decide({ content: row.text });
  const accepted = new Set([row.unit, ...(row.alternatives ?? [])]);
  const names = d.suggestions.map((s) => s.unitName);
  const first = names[0] !== undefined && accepted.has(names[0]);
  if (first) top1++;
  if (names.some((n) => accepted.has(n))) top3++;
  if (d.confidence >= threshold && names.length > 0) {
    auto++;
    if (first) autoCorrect++;
  }
  if (args.includes('--verbose') && !first) {
    console.log(`${d.confidence >= threshold ? 'AUTO-WRONG' : 'desk'}\t${row.unit}\t${names.join('|')}\t${d.confidence}\t${row.text}`);
  }
}
const f = (x: number): string => x.toFixed(4);
console.log(
  `auto_share=${f(auto / rows.length)} auto_precision=${f(auto ? autoCorrect / auto : 0)} top1=${f(top1 / rows.length)} top3=${f(top3 / rows.length)} n=${rows.length}`,
);
