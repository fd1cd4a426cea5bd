import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs warns when an idempotent producer has bounded retries. Bounded is deliberate here: a send that
 * gives up fails its caller (the relay retries the batch; a consumer retries or dead-letters), and a re-sent
 * batch can only duplicate, which consumers absorb through the processed-message table.
 */
const EXPECTED_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

export function createKafka(clientId: string, brokers: string, logger: Logger): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers: brokers.split(','),
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 10 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        const severity = message === EXPECTED_WARNING ? 'debug' : (LEVELS[level] ?? 'info');
        kafkaLogger[severity](rest, message);
      },
  });
}
