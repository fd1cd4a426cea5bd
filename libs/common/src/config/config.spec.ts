import { ConfigError, loadConfig, platformEnvSchema } from './config.js';

describe(loadConfig.name, () => {
  it('gives safe local defaults', () => {
    const env = loadConfig(platformEnvSchema, {});
    expect(env.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/wenzheng');
    expect(env.KAFKA_BROKERS).toBe('127.0.0.1:9092');
  });

  it('names every malformed setting at once', () => {
    try {
      loadConfig(platformEnvSchema, { DATABASE_URL: 'mysql://x', KAFKA_BROKERS: 'nohost', LOG_LEVEL: 'loud' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/DATABASE_URL/);
      expect(problems).toMatch(/KAFKA_BROKERS/);
      expect(problems).toMatch(/LOG_LEVEL/);
    }
  });
});
