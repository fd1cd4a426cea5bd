import { spawn } from 'node:child_process';
import {
  ConsumerRunner,
  ContractViolation,
  createKafka,
  EventProducer,
  onTopic,
  PermanentError,
  ProcessedMessages,
  TOPICS,
  type EventOf,
} from '@app/common';
import { PartitionAssigners, type Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { newInquiry } from '../support/builders.js';
import { effectCounts, testKafka, testLogger, testSchema, TopicReader, uniqueTopic, waitFor } from '../support/helpers.js';
import { LatePort } from '../support/late-port.js';
import { TEST_DATABASE_URL, testBrokers } from '../support/test-env.js';

type Submitted = EventOf<typeof TOPICS.inquirySubmitted>;

describe(ConsumerRunner.name, () => {
  let kafka: Kafka;
  let producer: EventProducer;
  let dataSource: DataSource;
  const stops: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    producer = new EventProducer(kafka, 'test');
    dataSource = await testSchema();
  });

  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  afterAll(async () => {
    await producer.disconnect();
    await dataSource.destroy();
  });

  function newRunner(retries = 3): ConsumerRunner {
    const runner = new ConsumerRunner(kafka, producer, testLogger, { retries, baseMs: 20 });
    stops.push(() => runner.stopAll());
    return runner;
  }

  async function read(topic: string): Promise<TopicReader> {
    const reader = await new TopicReader(kafka, topic).start();
    stops.push(() => reader.stop());
    return reader;
  }

  it('dead-letters a permanently failing message with its error and goes on with the next on the partition', async () => {
    const topic = await uniqueTopic(kafka, 'dlq');
    const contract = onTopic(TOPICS.inquirySubmitted, topic);
    const handled: string[] = [];
    await newRunner().start({
      contract,
      groupId: `g.${topic}`,
      handle: async (event) => {
        if (event.payload.content.includes('POISON')) throw new PermanentError('content cannot be routed');
        handled.push(event.payload.inquiryId);
      },
    });
    const poison = await producer.publish(contract, 'InquirySubmitted', newInquiry({ content: 'POISON message' }));
    const good = await producer.publish(contract, 'InquirySubmitted', newInquiry());

    await waitFor(() => handled.includes(good.payload.inquiryId), 'the message after the poison one');
    const dlq = await (await read(`${topic}.dlq`)).waitForCount(1);
    expect(JSON.parse(dlq[0].value!.toString()).id).toBe(poison.id);
    expect(dlq[0].headers!['dlq.error']!.toString()).toContain('content cannot be routed');
    expect(dlq[0].headers!['dlq.kind']!.toString()).toBe('permanent');
    expect(dlq[0].headers!['dlq.attempts']!.toString()).toBe('1');
    expect(handled).toEqual([good.payload.inquiryId]);
  });

  it('retries a transient failure with back-off and dead-letters only after the last retry', async () => {
    const topic = await uniqueTopic(kafka, 'retry');
    const contract = onTopic(TOPICS.inquirySubmitted, topic);
    const attempts = new Map<string, number>();
    const done: string[] = [];
    await newRunner(3).start({
      contract,
      groupId: `g.${topic}`,
      handle: async (event) => {
        const n = (attempts.get(event.id) ?? 0) + 1;
        attempts.set(event.id, n);
        if (event.payload.content.includes('FLAKY') && n < 3) throw new Error('database briefly unavailable');
        if (event.payload.content.includes('BROKEN')) throw new Error('still failing');
        done.push(event.id);
      },
    });
    const flaky = await producer.publish(contract, 'InquirySubmitted', newInquiry({ content: 'FLAKY twice' }));
    const broken = await producer.publish(contract, 'InquirySubmitted', newInquiry({ content: 'BROKEN forever' }));
    const after = await producer.publish(contract, 'InquirySubmitted', newInquiry());

    await waitFor(() => done.includes(after.id), 'the last message');
    expect(done).toEqual([flaky.id, after.id]);
    expect(attempts.get(flaky.id)).toBe(3);
    expect(attempts.get(broken.id)).toBe(4);
    const dlq = await (await read(`${topic}.dlq`)).waitForCount(1);
    expect(dlq[0].headers!['dlq.kind']!.toString()).toBe('transient');
    expect(dlq[0].headers!['dlq.attempts']!.toString()).toBe('4');
  });

  it('refuses at produce time an event that violates its schema, and sends nothing', async () => {
    const topic = await uniqueTopic(kafka, 'schema');
    const contract = onTopic(TOPICS.inquirySubmitted, topic);
    const reader = await read(topic);
    const bad = { ...newInquiry(), channel: 'fax' } as unknown as ReturnType<typeof newInquiry>;
    await expect(producer.publish(contract, 'InquirySubmitted', bad)).rejects.toThrow(ContractViolation);
    await expect(producer.publish(contract, 'InquirySubmitted', bad)).rejects.toThrow(/payload.channel/);
    await producer.publish(contract, 'InquirySubmitted', newInquiry());
    await reader.waitForCount(1);
    expect(reader.messages).toHaveLength(1);
  });

  it('dead-letters malformed messages that arrive instead of crashing, and keeps consuming', async () => {
    const topic = await uniqueTopic(kafka, 'malformed');
    const contract = onTopic(TOPICS.inquirySubmitted, topic);
    const seen: Submitted[] = [];
    await newRunner().start({ contract, groupId: `g.${topic}`, handle: async (e) => void seen.push(e) });
    const valid = producer.build(contract, 'InquirySubmitted', newInquiry());
    await producer.sendRaw(topic, [
      { key: 'a', value: 'this is not json' },
      { key: 'b', value: JSON.stringify({ ...valid, payload: { ...valid.payload, inquiryId: undefined } }) },
      { key: 'c', value: JSON.stringify({ ...valid, type: 'SomethingElse' }) },
      { key: 'd', value: JSON.stringify(valid) },
    ]);
    await waitFor(() => seen.length === 1, 'the valid message');
    expect(seen[0].id).toBe(valid.id);
    const dlq = await (await read(`${topic}.dlq`)).waitForCount(3);
    const errors = dlq.map((m) => m.headers!['dlq.error']!.toString());
    expect(errors[0]).toMatch(/not JSON/);
    expect(errors[1]).toMatch(/payload.inquiryId/);
    expect(errors[2]).toMatch(/type "SomethingElse"/);
    expect(dlq.every((m) => m.headers!['dlq.kind']!.toString() === 'permanent')).toBe(true);
  });

  it('in batch mode handles a partition\'s messages together, and isolates a poison or malformed one per message', async () => {
    const topic = await uniqueTopic(kafka, 'batch');
    const contract = onTopic(TOPICS.inquirySubmitted, topic);
    const batches: number[] = [];
    const handled: string[] = [];
    const poisonous = (e: Submitted) => e.payload.content.includes('POISON');
    const good = Array.from({ length: 30 }, () => producer.build(contract, 'InquirySubmitted', newInquiry()));
    const poison = producer.build(contract, 'InquirySubmitted', newInquiry({ content: 'POISON message' }));
    const later = producer.build(contract, 'InquirySubmitted', newInquiry());
    const raw = (e: { id: string }) => ({ key: 'one-partition', value: JSON.stringify(e) });
    await producer.sendRaw(topic, [...good.map(raw), { key: 'one-partition', value: 'not json' }, raw(poison), raw(later)]);

    await newRunner().start({
      contract,
      groupId: `g.${topic}`,
      batchSize: 20,
      handle: async (event) => {
        if (poisonous(event)) throw new PermanentError('content cannot be routed');
        handled.push(event.payload.inquiryId);
      },
      handleBatch: async (events) => {
        if (events.some(poisonous)) throw new PermanentError('a poisonous message in the batch');
        batches.push(events.length);
        handled.push(...events.map((e) => e.payload.inquiryId));
      },
    });

    await waitFor(() => handled.includes(later.payload.inquiryId), 'the message after the poison one');
    expect(handled).toEqual([...good, later].map((e) => e.payload.inquiryId));
    expect(batches[0]).toBe(20);
    const dlq = await (await read(`${topic}.dlq`)).waitForCount(2);
    expect(dlq.map((m) => m.value!.toString())).toEqual(['not json', JSON.stringify(poison)]);
  });

  it.each([['one by one', false], ['in batch mode', true]])(
    '%s passes over the types it does not act on undecoded, and commits past them',
    async (_mode, batched) => {
      const topic = await uniqueTopic(kafka, 'types');
      const contract = onTopic(TOPICS.inquirySubmitted, topic);
      const wanted = producer.build(contract, 'InquirySubmitted', newInquiry());
      const unlabelled = producer.build(contract, 'InquirySubmitted', newInquiry());
      // Not JSON: decoded, it would be dead-lettered; passed over by its header, it never is.
      await producer.sendRaw(topic, [
        { key: 'k', value: 'not json', headers: { type: 'SomethingElse' } },
        { key: 'k', value: JSON.stringify(wanted), headers: { type: 'InquirySubmitted' } },
        { key: 'k', value: JSON.stringify(unlabelled) },
        { key: 'k', value: 'not json either', headers: { type: 'SomethingElse' } },
      ]);
      const handled: string[] = [];
      const runner = newRunner();
      const groupId = `g.${topic}`;
      const consumer = await runner.start({
        contract,
        groupId,
        types: ['InquirySubmitted'],
        handle: async (event) => void handled.push(event.payload.inquiryId),
        ...(batched ? { handleBatch: async (events: Submitted[]) => void handled.push(...events.map((e) => e.payload.inquiryId)) } : {}),
      });
      await waitFor(() => handled.length === 2, 'the two messages it acts on');
      await runner.stop(consumer);
      expect(handled).toEqual([wanted.payload.inquiryId, unlabelled.payload.inquiryId]);
      const admin = kafka.admin();
      await admin.connect();
      const [{ partitions }] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const dlq = await admin.fetchTopicOffsets(`${topic}.dlq`);
      await admin.disconnect();
      expect(partitions.map((p) => p.offset)).toEqual(['4']);
      expect(dlq.map((p) => p.high)).toEqual(['0']);
    },
  );

  it('in batch mode joins the partitions of a fetch into one call, keeps each partition\'s order, and commits every partition in one request', async () => {
    const topic = await uniqueTopic(kafka, 'joined', 6);
    const contract = onTopic(TOPICS.inquirySubmitted, topic);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const sent = Array.from({ length: 80 }, (_, i) => ({ key: keys[i % keys.length], event: producer.build(contract, 'InquirySubmitted', newInquiry({ content: `第${i}条` })) }));
    await producer.sendRaw(topic, sent.map((s) => ({ key: s.key, value: JSON.stringify(s.event) })));
    const calls: { partitions: Set<number>; contents: string[] }[] = [];
    const runner = newRunner();
    const consumer = await runner.start({
      contract,
      groupId: `g.${topic}`,
      handle: async () => {
        throw new Error('the batch handler takes them all');
      },
      handleBatch: async (events, metas) => {
        calls.push({ partitions: new Set(metas.map((m) => m.partition)), contents: events.map((e) => e.payload.content) });
      },
    });
    // Each offset commit the runner makes: how many partitions it carries.
    const commits: number[] = [];
    const commitOffsets = consumer.commitOffsets.bind(consumer);
    consumer.commitOffsets = (offsets) => {
      commits.push(new Set(offsets.map((o) => o.partition)).size);
      return commitOffsets(offsets);
    };

    const handled = await waitFor(() => {
      const all = calls.flatMap((c) => c.contents);
      return all.length >= sent.length && all;
    }, 'all 80 messages');
    expect(handled).toHaveLength(sent.length);
    const partitionsUsed = new Set(calls.flatMap((c) => [...c.partitions]));
    expect(partitionsUsed.size).toBeGreaterThan(1);
    expect(calls.length).toBeLessThan(partitionsUsed.size); // joined, not one call per partition
    for (const key of keys) {
      const mine = sent.filter((s) => s.key === key).map((s) => s.event.payload.content);
      expect(handled.filter((c) => mine.includes(c))).toEqual(mine);
    }

    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
      await waitFor(async () => {
        const [committed] = await admin.fetchOffsets({ groupId: `g.${topic}`, topics: [topic] });
        // A partition that received nothing has nothing to commit (-1).
        return committed.partitions.every((p) => p.offset === (ends.get(p.partition) === '0' ? '-1' : ends.get(p.partition))) || undefined;
      }, 'every partition committed to its end within the commit interval');
    } finally {
      await admin.disconnect();
    }
    // Within one commit interval: one request for all of them (a commit already under way may take a first few).
    expect(commits.length).toBeLessThanOrEqual(2);
    expect(Math.max(...commits)).toBeGreaterThan(1);
    expect(commits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(partitionsUsed.size);
  });

  it('re-processes without a double effect after the consumer is killed before committing its offset', async () => {
    const topic = await uniqueTopic(kafka, 'crash');
    const contract = onTopic(TOPICS.inquirySubmitted, topic);
    const group = `g.${topic}`;
    const sent = [];
    for (let i = 0; i < 30; i++) sent.push(producer.build(contract, 'InquirySubmitted', newInquiry()));
    await producer.publishEnvelopes(contract, sent);

    const worker = await new Promise<{ signal: string | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['test/support/workers/consumer-worker.mjs'], {
        env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, KAFKA_BROKERS: testBrokers(), SCHEMA: 'wz_test', TOPIC: topic, GROUP: group, CRASH_AT: '10' },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('exit', (_code, signal) => resolve({ signal, out }));
    });
    expect(worker.signal).toBe('SIGKILL');
    expect((await effectCounts(dataSource, topic)).size).toBe(10);
    const committed = await kafka.admin();
    await committed.connect();
    const offsets = await committed.fetchOffsets({ groupId: group, topics: [topic] });
    await committed.disconnect();
    expect(offsets[0].partitions[0].offset).toBe('-1'); // nothing committed: all 10 will come again

    const processed = new ProcessedMessages(dataSource);
    let skipped = 0;
    await newRunner().start({
      contract,
      groupId: group,
      handle: async (event) => {
        const ran = await processed.once('worker', topic, event, (m) =>
          m.query('INSERT INTO effects (topic, event_id) VALUES ($1, $2)', [topic, event.id]),
        );
        if (!ran) skipped++;
      },
    });
    const counts = await waitFor(async () => {
      const c = await effectCounts(dataSource, topic);
      return c.size === 30 ? c : undefined;
    }, 'all 30 effects');
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(skipped).toBe(10);
  });

  it('starts a consumer again after a crash kafkajs would not restart, and serves before its group is joined', async () => {
    const topic = await uniqueTopic(kafka, 'crash');
    const contract = onTopic(TOPICS.inquirySubmitted, topic);
    const group = `g.${topic}`;
    // A member of the same group speaking another assignment protocol: every join of ours fails with
    // INCONSISTENT_GROUP_PROTOCOL, which kafkajs treats as fatal and never retries.
    const blocker = kafka.consumer({
      groupId: group,
      partitionAssigners: [(config) => ({ ...PartitionAssigners.roundRobin(config), name: 'OtherProtocol' })],
    });
    const blockerJoined = new Promise<void>((resolve) => blocker.on(blocker.events.GROUP_JOIN, () => resolve()));
    await blocker.connect();
    await blocker.subscribe({ topic, fromBeginning: true });
    await blocker.run({ eachMessage: async () => undefined });
    await blockerJoined;

    const handled: string[] = [];
    const consumer = await newRunner().start({ contract, groupId: group, handle: async (event) => void handled.push(event.id) });
    // start() has returned although the group cannot be joined yet.
    const crashes: boolean[] = [];
    consumer.on(consumer.events.CRASH, ({ payload }) => crashes.push(payload.restart));
    await waitFor(() => crashes.length >= 2, 'two crashes without a kafkajs restart');
    expect(crashes.every((restart) => restart === false)).toBe(true);

    await blocker.disconnect();
    const event = await producer.publish(contract, 'InquirySubmitted', newInquiry());
    await waitFor(() => handled.includes(event.id), 'the message, once the consumer was started again', 60_000);
  });

  it('returns from start while no broker answers, and consumes once one does', async () => {
    const topic = await uniqueTopic(kafka, 'unreachable');
    const contract = onTopic(TOPICS.inquirySubmitted, topic);
    // The consumer's only seed is a port where nothing listens yet; later it forwards to the real broker (whose
    // metadata then points the client at the broker itself).
    const seed = await LatePort.reserve();
    stops.push(() => seed.close());
    const runner = new ConsumerRunner(createKafka('test-unreachable', `127.0.0.1:${seed.port}`, testLogger), producer, testLogger, { retries: 3, baseMs: 20 });
    stops.push(() => runner.stopAll());

    const handled: string[] = [];
    const started = Date.now();
    await runner.start({ contract, groupId: `g.${topic}`, handle: async (event) => void handled.push(event.id) });
    expect(Date.now() - started).toBeLessThan(1000);
    const event = await producer.publish(contract, 'InquirySubmitted', newInquiry());
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(handled).toEqual([]);

    const [host, port] = testBrokers().split(',')[0].split(':');
    await seed.open(host, Number(port));
    await waitFor(() => handled.includes(event.id), 'the message, once a broker answered', 60_000);
  });
});
