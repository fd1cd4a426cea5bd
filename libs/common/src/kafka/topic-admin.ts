import type { ITopicConfig, Kafka } from 'kafkajs';

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
      await admin.createTopics({ topics, waitForLeaders: true });
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
