import { assertEveryPartitionAcknowledged } from './event-producer.js';

const planned = [
  { topic: 'inquiry.submitted.v1', partition: 0 },
  { topic: 'inquiry.submitted.v1', partition: 3 },
];
const ok = (partition: number) => ({ topicName: 'inquiry.submitted.v1', partition, errorCode: 0 });

describe(assertEveryPartitionAcknowledged.name, () => {
  it('passes when every planned partition was acknowledged', () => {
    expect(() => assertEveryPartitionAcknowledged(planned, [ok(3), ok(0)])).not.toThrow();
  });

  it('fails a send whose answers leave out a partition (kafkajs resolved without writing it)', () => {
    expect(() => assertEveryPartitionAcknowledged(planned, [ok(0)])).toThrow('inquiry.submitted.v1/3');
  });

  it('fails a send whose answer for a partition carries an error', () => {
    expect(() => assertEveryPartitionAcknowledged(planned, [ok(0), { ...ok(3), errorCode: 19 }])).toThrow('inquiry.submitted.v1/3');
  });
});
