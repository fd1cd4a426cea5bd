import type { KafkaMessage } from 'kafkajs';
import { PartitionBatchJoiner } from './partition-batch-joiner.js';

const message = (offset: number, timestamp: number): KafkaMessage =>
  ({ key: null, value: Buffer.from(String(offset)), offset: String(offset), timestamp: String(timestamp), attributes: 0, headers: {} }) as KafkaMessage;

describe(PartitionBatchJoiner.name, () => {
  it('hands the batches of one turn to one call, merged by timestamp, each partition in its order', async () => {
    const calls: string[][] = [];
    const joiner = new PartitionBatchJoiner(async (_messages, metas) => void calls.push(metas.map((m) => `${m.partition}:${m.offset}`)));
    await Promise.all([
      joiner.join('t', 3, [message(10, 1000), message(11, 1003), message(12, 1003)]),
      joiner.join('t', 1, [message(7, 1001), message(8, 1003), message(9, 1002)]), // a clock step back stays in order
    ]);
    expect(calls).toEqual([['3:10', '1:7', '1:8', '1:9', '3:11', '3:12']]);
  });

  it('runs one call at a time: a batch that comes meanwhile waits for the next call', async () => {
    const calls: string[][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const joiner = new PartitionBatchJoiner(async (_messages, metas) => {
      calls.push(metas.map((m) => `${m.partition}:${m.offset}`));
      if (calls.length === 1) await first;
    });
    const a = joiner.join('t', 0, [message(1, 1)]);
    await new Promise((r) => setImmediate(r));
    const b = joiner.join('t', 1, [message(2, 2)]);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual([['0:1']]);
    release();
    await Promise.all([a, b]);
    expect(calls).toEqual([['0:1'], ['1:2']]);
  });

  it('fails every batch of a call that failed', async () => {
    const joiner = new PartitionBatchJoiner(async () => {
      throw new Error('database gone');
    });
    const results = await Promise.allSettled([joiner.join('t', 0, [message(1, 1)]), joiner.join('t', 1, [message(2, 2)])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
