// Watches case.events.v1 for the end-to-end load and matches each submission with its routing decision:
// `Received` names the citizen (the WeChat OpenID or Weibo uid the load used), `Assigned` or `QueuedForDesk` is
// the decision. An app submission is known by the inquiry id its 201 answered.
import { performance } from 'node:perf_hooks';
import type { Consumer, Kafka } from 'kafkajs';
import { TOPICS } from '@app/common';
import { percentile } from './bench-result.js';
import type { Submission } from './e2e-traffic.js';

export type Decision = 'Assigned' | 'QueuedForDesk';

interface CaseEvent {
  type: string;
  payload: { inquiryId: string; citizen?: { channel: string; externalUserId: string } };
}

export interface StepFigures {
  submitted: number;
  failed: number;
  decided: number;
  assigned: number;
  desk: number;
  undecided: number;
  /** Submission → decision, ms; undecided submissions count as endless. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Decided inquiries per second, from the first submission to the last decision. */
  throughputPerSec: number;
  /** Submitting request → its answer (what the citizen waits for), ms. */
  answerP99Ms: number;
  /** How late the load generator started the inquiries, ms (high: the generator itself was starved). */
  sendLagP99Ms: number;
  /** p99 submission → decision per channel, ms. */
  /** Per channel; app submissions with a photo apart ("app+photo"). */
  p99ByChannel: Record<string, number>;
  answerP99ByChannel: Record<string, number>;
  /**
   * The longest submission → decision of the inquiries submitted in each second of the step, ms (endless when one
   * is undecided): whether the tail is a stall of a few seconds or the whole step.
   */
  maxBySecond: number[];
  failures: Record<string, number>;
}

/**
 * The events the tracker reads, by the `type` header every event carries: the others are not parsed (this process
 * shares the machine with the platform).
 */
const TRACKED = new Set(['Received', 'Assigned', 'QueuedForDesk']);

export class DecisionTracker {
  private consumer?: Consumer;
  /** OpenID / Weibo uid → inquiry id, from `Received`. */
  private readonly inquiryOfCitizen = new Map<string, string>();
  private readonly decisions = new Map<string, { type: Decision; at: number }>();
  events = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
  ) {}

  /** Resolves once the group has joined: events from then on are seen (the group starts at the end of the topic). */
  async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 50, allowAutoTopicCreation: false });
    this.consumer = consumer;
    let joined!: () => void;
    const join = new Promise<void>((r) => (joined = r));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.caseEvents.name, fromBeginning: false });
    await consumer.run({
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch }) => {
        const at = performance.timeOrigin + performance.now();
        for (const m of batch.messages) if (TRACKED.has(String(m.headers?.type ?? ''))) this.record(m.value, at);
        this.events += batch.messages.length;
      },
    });
    await join;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private record(value: Buffer | null, at: number): void {
    if (!value) return;
    let event: CaseEvent;
    try {
      event = JSON.parse(value.toString('utf8')) as CaseEvent;
    } catch {
      return;
    }
    const { inquiryId, citizen } = event.payload ?? {};
    if (!inquiryId) return;
    if (event.type === 'Received' && citizen && citizen.channel !== 'app') this.inquiryOfCitizen.set(citizen.externalUserId, inquiryId);
    else if ((event.type === 'Assigned' || event.type === 'QueuedForDesk') && !this.decisions.has(inquiryId)) {
      this.decisions.set(inquiryId, { type: event.type, at });
    }
  }

  /** The first decision about this submission, if one was seen. */
  decisionOf(s: Submission): { type: Decision; at: number } | undefined {
    if (!s.ok) return undefined;
    const inquiryId = s.channel === 'app' ? s.key : this.inquiryOfCitizen.get(s.key);
    return inquiryId ? this.decisions.get(inquiryId) : undefined;
  }

  undecided(subs: Submission[]): number {
    return subs.filter((s) => s.ok && !this.decisionOf(s)).length;
  }

  figures(subs: Submission[]): StepFigures {
    const latencies: number[] = [];
    const answers: number[] = [];
    const lags: number[] = [];
    const byChannel: Record<string, number[]> = {};
    const answersByChannel: Record<string, number[]> = {};
    const failures: Record<string, number> = {};
    const bySecond: { at: number; ms: number }[] = [];
    let assigned = 0;
    let desk = 0;
    let undecided = 0;
    let lastDecision = 0;
    let firstSubmitted = Number.POSITIVE_INFINITY;
    for (const s of subs) {
      firstSubmitted = Math.min(firstSubmitted, s.submittedAt);
      answers.push(s.answeredAt - s.submittedAt);
      (answersByChannel[pathOf(s)] ??= []).push(s.answeredAt - s.submittedAt);
      lags.push(s.sendLagMs);
      if (!s.ok) {
        const reason = `${s.channel}: ${s.error ?? 'failed'}`;
        failures[reason] = (failures[reason] ?? 0) + 1;
        continue;
      }
      const d = this.decisionOf(s);
      if (!d) {
        undecided++;
        latencies.push(Number.POSITIVE_INFINITY);
        (byChannel[pathOf(s)] ??= []).push(Number.POSITIVE_INFINITY);
        bySecond.push({ at: s.submittedAt, ms: Number.POSITIVE_INFINITY });
        continue;
      }
      if (d.type === 'Assigned') assigned++;
      else desk++;
      latencies.push(d.at - s.submittedAt);
      (byChannel[pathOf(s)] ??= []).push(d.at - s.submittedAt);
      bySecond.push({ at: s.submittedAt, ms: d.at - s.submittedAt });
      lastDecision = Math.max(lastDecision, d.at);
    }
    const decided = assigned + desk;
    const failed = subs.length - subs.filter((s) => s.ok).length;
    const finite = latencies.filter(Number.isFinite);
    return {
      submitted: subs.length,
      failed,
      decided,
      assigned,
      desk,
      undecided,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      p99Ms: percentile(latencies, 99),
      maxMs: finite.length ? finite.reduce((a, b) => Math.max(a, b), 0) : Number.NaN,
      throughputPerSec: decided && lastDecision > firstSubmitted ? (decided * 1000) / (lastDecision - firstSubmitted) : 0,
      answerP99Ms: percentile(answers, 99),
      sendLagP99Ms: percentile(lags, 99),
      p99ByChannel: Object.fromEntries(Object.entries(byChannel).map(([c, l]) => [c, percentile(l, 99)])),
      answerP99ByChannel: Object.fromEntries(Object.entries(answersByChannel).map(([c, l]) => [c, percentile(l, 99)])),
      maxBySecond: maxPerSecond(bySecond, firstSubmitted),
      failures,
    };
  }
}

function maxPerSecond(points: { at: number; ms: number }[], start: number): number[] {
  const out: number[] = [];
  for (const { at, ms } of points) {
    const second = Math.floor((at - start) / 1000);
    out[second] = Math.max(out[second] ?? 0, ms);
  }
  return Array.from(out, (ms) => ms ?? 0);
}

function pathOf(s: Submission): string {
  return s.photo ? `${s.channel}+photo` : s.channel;
}
