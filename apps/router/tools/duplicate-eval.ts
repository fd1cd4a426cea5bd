/**
 * `node dist/apps/router/tools/duplicate-eval.js <hot-messages.jsonl> [threshold]`: measures the duplicate check
 * the router runs on new cases. Ground truth: messages with the same subject posted by citizens are true repeats
 * (221 messages in 104 groups); every other message counts as unrelated, so the false-flag rate is an upper
 * bound (the corpus has repeats under different subjects too). Bodies only: the subject defines the truth. Candidates: open messages of the previous 30
 * days in the same area (the anonymised district names, e.g. "A3区", stand in for the gazetteer's areas).
 */
import { readFileSync } from 'node:fs';
import { DUPLICATE_THRESHOLD, findDuplicate } from '../src/routing/duplicates.js';

interface Message {
  id: string;
  subject: string;
  body: string;
  postedAt: string;
}

const [input, thresholdArg] = process.argv.slice(2);
if (!input) {
  console.error('usage: duplicate-eval <hot-messages.jsonl> [threshold]');
  process.exit(2);
}
const threshold = thresholdArg ? Number(thresholdArg) : DUPLICATE_THRESHOLD;
const WINDOW_MS = 30 * 24 * 3600_000;
const messages = readFileSync(input, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Message)
  .map((m) => ({ ...m, at: new Date(m.postedAt.replace(/\//g, '-')).getTime(), text: m.body }))
  .filter((m) => Number.isFinite(m.at))
  .sort((a, b) => a.at - b.at);
const area = (text: string): string | undefined => /[A-Z]\d*[区县]/.exec(text)?.[0] ?? (text.includes('A市') ? 'A市' : undefined);
const bySubject = new Map<string, number>();
for (const m of messages) bySubject.set(m.subject, (bySubject.get(m.subject) ?? 0) + 1);

let repeats = 0;
let caught = 0;
let unrelated = 0;
let falseFlags = 0;
messages.forEach((m, i) => {
  const where = area(`${m.subject}${m.body}`);
  const earlier = messages.slice(0, i).filter((e) => m.at - e.at <= WINDOW_MS && area(`${e.subject}${e.body}`) === where);
  const truth = earlier.filter((e) => e.subject === m.subject);
  const found = where ? findDuplicate(m.text, earlier, threshold) : undefined;
  if (truth.length > 0) {
    repeats++;
    if (found && found.subject === m.subject) caught++;
  } else if ((bySubject.get(m.subject) ?? 0) === 1) {
    unrelated++;
    if (found) falseFlags++;
  }
});
console.log(
  `threshold=${threshold} repeats=${repeats} caught=${caught} recall=${(caught / repeats).toFixed(4)} ` +
    `unrelated=${unrelated} flagged=${falseFlags} false_flag_rate=${(falseFlags / unrelated).toFixed(4)}`,
);
