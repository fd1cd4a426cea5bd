import type { Admin, ITopicConfig, Kafka } from 'kafkajs';

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
  minInsyncReplicas?: number;
}

export interface TopicReport {
  created: string[];
  grown: string[];
  unchanged: string[];
}

/**
 * Creates the topics that do not exist and adds partitions to those that have fewer than configured.
 * Safe to run any number of times; it never deletes or shrinks anything.
 */
export async function ensureTopics(kafka: Kafka, names: string[], settings: TopicSettings): Promise<TopicReport> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = names.filter((n) => !existing.has(n));
    const configEntries = settings.minInsyncReplicas
      ? [{ name: 'min.insync.replicas', value: String(settings.minInsyncReplicas) }]
      : [];
    if (missing.length > 0) {
      const topics: ITopicConfig[] = missing.map((topic) => ({
        topic,
        numPartitions: settings.partitions,
        replicationFactor: settings.replicationFactor,
        configEntries,
      }));
      await admin.createTopics({ topics, waitForLeaders: false });
      await waitForLeaders(admin, missing);
    }
    const present = names.filter((n) => existing.has(n));
    const grown: string[] = [];
    if (present.length > 0) {
      const metadata = await admin.fetchTopicMetadata({ topics: present });
      const tooSmall = metadata.topics.filter((t) => t.partitions.length < settings.partitions);
      if (tooSmall.length > 0) {
        await admin.createPartitions({ topicPartitions: tooSmall.map((t) => ({ topic: t.name, count: settings.partitions })) });
        grown.push(...tooSmall.map((t) => t.name));
      }
    }
    return { created: missing, grown, unchanged: present.filter((n) => !grown.includes(n)) };
  } finally {
    await admin.disconnect();
  }
}

/**
 * kafkajs's own wait after createTopics gives up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker answers for a
 * moment after creating a topic when it is busy; wait until every partition has a leader instead.
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      if (found.length === topics.length && found.every((t) => t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable || Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`no leaders for ${topics.join(', ')} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
