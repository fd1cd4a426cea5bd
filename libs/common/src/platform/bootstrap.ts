import type { Server } from 'node:http';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { ConfigError, type PlatformConfig } from '../config/config.js';
import { createDataSource, ensureDatabase, migrate, revert } from '../database/data-source.js';
import { PlatformTables1764201600000 } from '../database/platform-tables.migration.js';
import { PlatformRetention1764900000000 } from '../database/retention.migration.js';
import { createLogger, PinoNestLogger } from '../logging/logger.js';
import { outliveProxyKeepAlive } from '../http/keep-alive.js';
import { LOGGER } from './tokens.js';

/** What `main.ts` of every service hands to `runService`. */
export interface ServiceDefinition<C extends PlatformConfig> {
  readConfig: () => C;
  module: (config: C) => DynamicModule;
  /** The service's own migrations (the platform tables are added in front). */
  migrations: Function[];
  configure?: (app: INestApplication, config: C) => void;
}

/** The platform's migrations around the service's own, in the order of their timestamps. */
export const withPlatformMigrations = (migrations: Function[]): Function[] => [
  PlatformTables1764201600000,
  ...migrations,
  PlatformRetention1764900000000,
];

/**
 * `node main.js` serves; `node main.js migrate` runs pending migrations; `node main.js migrate:revert [n]`
 * reverts the last n. A configuration error ends the process with the list of what is wrong.
 */
export async function runService<C extends PlatformConfig>(
  definition: ServiceDefinition<C>,
  argv: string[] = process.argv.slice(2),
): Promise<INestApplication | undefined> {
  let config: C;
  try {
    config = definition.readConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.app, config.env.LOG_LEVEL);
  const [command = 'serve', arg] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(definition, config);
      case 'migrate':
      case 'migrate:revert': {
        const dataSource = createDataSource({
          url: config.env.DATABASE_URL,
          schema: config.schema,
          migrations: withPlatformMigrations(definition.migrations),
        });
        await ensureDatabase(config.env.DATABASE_URL);
        if (command === 'migrate') {
          const ran = await migrate(dataSource, config.schema);
          logger.info({ schema: config.schema, ran }, ran.length ? 'migrations applied' : 'schema up to date');
        } else {
          await revert(dataSource, Number(arg ?? 1));
          logger.info({ schema: config.schema }, 'migrations reverted');
        }
        await dataSource.destroy();
        return undefined;
      }
      default:
        throw new Error(`unknown command "${command}" (serve, migrate, migrate:revert [n])`);
    }
  } catch (error) {
    logger.fatal({ err: error instanceof Error ? { message: error.message, stack: error.stack } : error }, `${command} failed`);
    process.exit(1);
  }
}

async function serve<C extends PlatformConfig>(definition: ServiceDefinition<C>, config: C): Promise<INestApplication> {
  const bootLogger = createLogger(config.app, config.env.LOG_LEVEL);
  const app = await NestFactory.create(definition.module(config), {
    logger: new PinoNestLogger(bootLogger),
    abortOnError: false,
  });
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  definition.configure?.(app, config);
  outliveProxyKeepAlive(app.getHttpServer() as Server);
  await app.listen(config.port, config.env.HOST);
  logger.info({ url: `http://${config.env.HOST}:${config.port}` }, `${config.app} listening`);
  return app;
}
