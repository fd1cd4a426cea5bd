import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A loopback port that refuses connections until `open`, then forwards each one to a real server: a database or
 * a broker that "comes up" while a service is already trying to reach it.
 */
export class LatePort {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private constructor(readonly port: number) {}

  static async reserve(): Promise<LatePort> {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    return new LatePort(port);
  }

  async open(host: string, port: number): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(port, host);
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
