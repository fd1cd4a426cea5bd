import { EventProducer } from '@app/common';
import { Partitioners, type Kafka } from 'kafkajs';
import { testKafka, uniqueTopic } from '../support/helpers.js';

async function countsPerPartition(kafka: Kafka, topic: string): Promise<Record<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return Object.fromEntries(offsets.map((o) => [o.partition, o.high]));
  } finally {
    await admin.disconnect();
  }
}

describe('EventProducer partitioning', () => {
  it('puts every key on the partition kafkajs and the Java client choose, one request per partition', async () => {
    const kafka = testKafka();
    const [planned, plain] = [await uniqueTopic(kafka, 'planned', 6), await uniqueTopic(kafka, 'plain', 6)];
    const messages = Array.from({ length: 300 }, (_, i) => ({ key: `case-${i * 7919}`, value: `v${i}` }));

    const producer = new EventProducer(kafka, 'test');
    const reference = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await reference.connect();
    try {
      await producer.sendRawBatch([
        { topic: planned, messages: messages.slice(0, 150) },
        { topic: planned, messages: messages.slice(150) },
      ]);
      await reference.send({ topic: plain, messages });
    } finally {
      await Promise.all([producer.disconnect(), reference.disconnect()]);
    }

    const [got, want] = [await countsPerPartition(kafka, planned), await countsPerPartition(kafka, plain)];
    expect(Object.values(want).filter((n) => n !== '0').length).toBeGreaterThan(3);
    expect(got).toEqual(want);
  });
});
