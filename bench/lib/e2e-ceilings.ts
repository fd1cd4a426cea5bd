// The ceilings the end-to-end load is compared with, measured in the same run on the same machine: the inquiries
// of the load as `inquiry.submitted.v1` envelopes through raw kafkajs (produce with acks=all, consumed by a
// consumer group), and their rows inserted into a scratch PostgreSQL table with multi-row INSERTs.
import { performance } from 'node:perf_hooks';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { newEnvelope, newId, TOPICS, validateEvent, type Envelope, type InquirySubmitted } from '@app/common';
import { percentile, type BenchRow } from './bench-result.js';
import { countingConsumer, createTopic, deleteTopics, inquiryTableDdl, insertInquiryRows, waitFor } from './ceiling.js';
import { channelOf, textOf, type TrafficSetup } from './e2e-traffic.js';
import { progress } from './progress.js';

const PARTITIONS = 6;
const PRODUCE_BATCH = 500;
const PG_BATCH_ROWS = 100;
const SCHEMA = 'bench_e2e';

/** The load's n-th inquiry as the ingestors publish it (same texts, channels and photo share). */
export function submittedEnvelope(texts: TrafficSetup['texts'], n: number): Envelope<InquirySubmitted> {
  const { channel, photo } = channelOf(n);
  const { title, content } = textOf(texts, n);
  const inquiryId = newId();
  const now = new Date().toISOString();
  return newEnvelope<InquirySubmitted>({
    type: 'InquirySubmitted',
    source: `ingest-${channel}`,
    payload: {
      inquiryId,
      trackingNo: `YL20261127-${String(n % 1e6).padStart(6, '0')}`,
      channel,
      citizen: { channel, externalUserId: channel === 'app' ? `anon-${inquiryId}` : `oE2Eceiling_${n}` },
      ...(title ? { title } : {}),
      content,
      attachments: photo ? [{ kind: 'photo', objectKey: `photos/${inquiryId}.jpg`, thumbnailKey: `thumbs/${inquiryId}.jpg`, contentType: 'image/jpeg', bytes: 61_000, width: 800, height: 600 }] : [],
      anonymous: true,
      publicOrigin: false,
      receivedAt: now,
      vendorMessageIds: channel === 'app' ? [] : [String(7100000000000000000n + BigInt(n))],
    },
  });
}

export interface Ceiling {
  row: BenchRow;
  perSec: number;
}

/** Produce (raw kafkajs, idempotent, acks=all, 500 a request) while a consumer group reads them back. */
export async function kafkaCeiling(kafka: Kafka, texts: TrafficSetup['texts'], count: number, runTag: string): Promise<Ceiling> {
  const topic = `bench.e2e.ceiling.${runTag}`;
  await createTopic(kafka, topic, PARTITIONS);
  const envelopes = Array.from({ length: count }, (_, n) => submittedEnvelope(texts, n));
  validateEvent(TOPICS.inquirySubmitted, JSON.parse(JSON.stringify(envelopes[0])));
  const messages = envelopes.map((e) => ({ key: e.payload.inquiryId, value: JSON.stringify(e) }));
  const bytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m.value), 0) / count;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const consumer = await countingConsumer(kafka, topic, (value, at) => {
    const t = sentAt.get((JSON.parse(value.toString('utf8')) as { id: string }).id);
    if (t !== undefined) latencies.push(at - t);
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const t0 = performance.now();
    for (let i = 0; i < messages.length; i += PRODUCE_BATCH) {
      const batch = messages.slice(i, i + PRODUCE_BATCH);
      const t = performance.now();
      for (let j = 0; j < batch.length; j++) sentAt.set(envelopes[i + j].id, t);
      await producer.send({ topic, acks: -1, messages: batch });
      if ((i / PRODUCE_BATCH) % 10 === 0) progress(`ceiling: Kafka ${i}/${count} produced, ${consumer.state.count} consumed`);
    }
    await waitFor('the ceiling consumer', () => consumer.state.count >= count, 180_000);
    const perSec = (count * 1000) / (consumer.state.last - t0);
    return {
      perSec,
      row: {
        name: `ceiling: raw kafkajs produce (acks=all, ${PRODUCE_BATCH}/request) + consume, inquiry.submitted envelopes`,
        throughputPerSec: perSec,
        p50Ms: percentile(latencies, 50),
        p95Ms: percentile(latencies, 95),
        p99Ms: percentile(latencies, 99),
        messages: count,
        bytesPerMessage: Math.round(bytes),
        latency: 'send of its request → consumed',
      },
    };
  } finally {
    await producer.disconnect();
    await consumer.consumer.disconnect();
    await deleteTopics(kafka, [topic]);
  }
}

/** The same inquiries as rows of a scratch table (router.cases' columns), 100 rows a statement, one connection. */
export async function postgresCeiling(databaseUrl: string, texts: TrafficSetup['texts'], count: number): Promise<Ceiling> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await client.query(inquiryTableDdl(SCHEMA));
    const rows = Array.from({ length: count }, (_, n) => {
      const p = submittedEnvelope(texts, n).payload;
      return [p.inquiryId, p.trackingNo, p.channel, p.citizen.channel, p.citizen.externalUserId, p.typeHint ?? null, p.title ?? null, p.content, null, JSON.stringify(p.attachments), p.anonymous, 'received', p.receivedAt];
    });
    const statementMs: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += PG_BATCH_ROWS) {
      const t = performance.now();
      await insertInquiryRows(client, SCHEMA, rows.slice(i, i + PG_BATCH_ROWS));
      statementMs.push(performance.now() - t);
      if ((i / PG_BATCH_ROWS) % 50 === 0) progress(`ceiling: PostgreSQL ${i}/${count} rows`);
    }
    const perSec = (count * 1000) / (performance.now() - t0);
    await client.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
    return {
      perSec,
      row: {
        name: `ceiling: PostgreSQL multi-row INSERT (${PG_BATCH_ROWS} rows/statement) of the same inquiries`,
        throughputPerSec: perSec,
        p50Ms: percentile(statementMs, 50),
        p95Ms: percentile(statementMs, 95),
        p99Ms: percentile(statementMs, 99),
        rows: count,
        latency: 'per statement',
      },
    };
  } finally {
    await client.end();
  }
}
