import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { readRouterConfig } from '../../apps/router/src/config.js';
import { RouterModule } from '../../apps/router/src/router.module.js';
import { serviceEnv, TEST_DATABASE_URL } from '../support/test-env.js';

/** A port that refuses connections until `open`, then forwards them to the real PostgreSQL. */
class LatePostgres {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  constructor(readonly port: number) {}

  static async reserve(): Promise<LatePostgres> {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    return new LatePostgres(port);
  }

  async open(): Promise<void> {
    const target = new URL(TEST_DATABASE_URL);
    this.server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => (this.server ? this.server.close(r) : r(undefined)));
  }
}

describe('a service started before PostgreSQL', () => {
  let late: LatePostgres;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    late = await LatePostgres.reserve();
  });

  afterAll(async () => {
    await app?.close();
    await late.close();
  });

  const routerOn = (port: number, waitSeconds: string) => {
    const url = new URL(TEST_DATABASE_URL);
    url.host = `127.0.0.1:${port}`;
    return readRouterConfig(serviceEnv({ ROUTER_PORT: '0', DATABASE_URL: url.toString(), DATABASE_BOOT_WAIT_SECONDS: waitSeconds }));
  };

  it('gives up at once when told not to wait, naming the refused connection', async () => {
    const moduleRef = Test.createTestingModule({ imports: [RouterModule.forRoot(routerOn(late.port, '0'))] });
    await expect(moduleRef.compile()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('waits for the database to come up, then boots and answers ready', async () => {
    const started = Date.now();
    setTimeout(() => void late.open(), 1500);
    const moduleRef = await Test.createTestingModule({ imports: [RouterModule.forRoot(routerOn(late.port, '60'))] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    const ready = await request(app.getHttpServer()).get('/ready').expect(200);
    expect(ready.body.checks).toEqual({ database: 'ok', kafka: 'ok' });
  }, 60_000);
});
