/** Where the integration tests find the broker and the database: global-setup.mjs sets both. */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the integration tests through jest (global-setup.mjs sets it)`);
  return value;
}

export const TEST_DATABASE_URL = required('TEST_DATABASE_URL');

export function testBrokers(): string {
  return required('KAFKA_BROKERS');
}

/** The environment a service under test reads its configuration from. */
export function serviceEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    KAFKA_BROKERS: testBrokers(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
    KAFKA_RETRY_BASE_MS: '50',
    OUTBOX_POLL_MS: '100',
    ...extra,
  };
}
