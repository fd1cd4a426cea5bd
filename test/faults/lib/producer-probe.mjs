// The platform's own EventProducer (idempotent, acks=all, from the compiled libs/common) sending to a probe
// topic with RF 3 / min.insync.replicas 2 while a broker is stopped: every send that resolved must be readable.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readTopic } from './verify.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const PROBE_TOPIC = 'faults.probe.v1';

export async function startProducerProbe({ dist, brokers, ratePerS }) {
  const common = await import(pathToFileURL(join(dist, 'libs', 'common', 'src', 'index.js')).href);
  const logger = common.createLogger('faults-probe', 'silent');
  const kafka = common.createKafka('faults-probe', brokers, logger);
  // A cluster that has just formed may answer "does not host this topic-partition" for a moment; idempotent.
  for (let attempt = 1; ; attempt++) {
    try {
      await common.ensureTopics(kafka, [PROBE_TOPIC], { partitions: 6, replicationFactor: 3, minInsyncReplicas: 2 });
      break;
    } catch (error) {
      if (attempt >= 6) throw error;
      await sleep(2000);
    }
  }
  const producer = new common.EventProducer(kafka, 'faults-probe');
  await producer.connect();
  const acked = new Set();
  let failed = 0;
  let attempts = 0;
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const value = `probe-${i}`;
      attempts++;
      try {
        await producer.sendRaw(PROBE_TOPIC, [{ key: `k${i % 60}`, value }]);
        acked.add(value);
      } catch {
        failed++; // not acknowledged: the caller (a relay) would keep the row and send it again later
      }
      await sleep(1000 / ratePerS);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await producer.disconnect();
      const messages = await readTopic(brokers, PROBE_TOPIC, { raw: true });
      const seen = new Map();
      for (const m of messages) seen.set(m.value, (seen.get(m.value) ?? 0) + 1);
      const lost = [...acked].filter((v) => !seen.has(v)).length;
      const duplicated = [...seen.values()].filter((c) => c > 1).length;
      return { attempts, acked: acked.size, failed, onTopic: messages.length, lost, duplicated };
    },
  };
}
