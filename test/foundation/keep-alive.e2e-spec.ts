import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { outliveProxyKeepAlive } from '@app/common/http/keep-alive.js';

/** Sends a GET on `socket` and resolves with the answer's head, or rejects when the connection ends first. */
function get(socket: ReturnType<typeof connect>): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const onData = (chunk: Buffer): void => {
      data += chunk.toString('latin1');
      if (!data.includes('\r\n\r\nok')) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(data);
    };
    const onClose = (): void => reject(new Error('connection closed before the answer'));
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n');
  });
}

describe('keep-alive of the services’ HTTP servers', () => {
  let server: Server;

  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('keeps an idle connection open past Node’s default 5 s and says so in Keep-Alive', async () => {
    server = createServer((_req, res) => res.end('ok'));
    outliveProxyKeepAlive(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    try {
      expect(await get(socket)).toMatch(/\r\nKeep-Alive: timeout=65\r\n/i);
      await new Promise((r) => setTimeout(r, 6000));
      expect(await get(socket)).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      socket.destroy();
    }
  }, 15000);
});
