// Rebuilds bench/data/e2e-texts.jsonl from the reference corpus (a one-off developer tool: benchmarks read the copy,
// never ../shared). Usage: node bench/data/make-e2e-texts.mjs [path/to/shared/data/corpus]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const CORPUS = process.argv[2] ?? join(HERE, '..', '..', '..', 'shared', 'data', 'corpus');
const EVERY_TOPIC = 3;
const EVERY_HOT = 10;
const MIN = 20;
const MAX = 600;

const lines = (file) => readFileSync(join(CORPUS, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const fold = (text) => text.replace(/\s+/g, ' ').trim();
const out = [];
lines('topic-train.jsonl').forEach((l, i) => {
  const content = fold(l.text);
  if (i % EVERY_TOPIC === 0 && content.length >= MIN) out.push({ content: content.slice(0, MAX) });
});
lines('hot-messages.jsonl').forEach((l, i) => {
  const content = fold(l.body ?? '');
  if (i % EVERY_HOT === 0 && content.length >= MIN) out.push({ title: fold(l.subject ?? '').slice(0, 100), content: content.slice(0, MAX) });
});
writeFileSync(join(HERE, 'e2e-texts.jsonl'), out.map((t) => JSON.stringify(t)).join('\n') + '\n');
console.log(`${out.length} texts`);
