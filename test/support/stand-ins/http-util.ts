import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
  status?: number;
  json?: unknown;
  raw?: string;
  /** A binary answer (a media file) with its content type. */
  bytes?: Buffer;
  contentType?: string;
}
export type Handler = (req: IncomingMessage, body: string, url: URL) => Answer;

/** A loopback HTTP server on a free port, for the vendor stand-ins. */
export async function listen(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let answer: ReturnType<Handler>;
      try {
        answer = handler(req, Buffer.concat(chunks).toString('utf8'), url);
      } catch (error) {
        answer = { status: 500, json: { error: String(error) } };
      }
      const body = answer.bytes ?? answer.raw ?? JSON.stringify(answer.json ?? {});
      res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json; charset=utf-8' });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
