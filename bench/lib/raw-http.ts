// A lean HTTP/1.1 keep-alive client for load generators that share the machine with the app: requests are
// serialised to bytes before the clock starts, and an answer is parsed only for its status, its length and (for
// those who ask) its body. Node's http client costs about as much CPU per request as the app's whole push path; spent on this
// machine it would be taken from the app under test (in production the vendor sits on the other side of the
// network). Answers must carry Content-Length or chunked encoding, as Node's HTTP server always does.
import { connect, type Socket } from 'node:net';

/** A request ready to go on the wire. */
export function rawPost(path: string, contentType: string, body: string | Uint8Array): Buffer {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), payload]);
}

/** An answer's status and body (chunked bodies joined). */
export interface RawAnswer {
  status: number;
  body: Buffer;
}

interface Pending {
  resolve: (answer: RawAnswer) => void;
  reject: (error: Error) => void;
}

/** One keep-alive connection: one request at a time, its answer parsed just enough to know where it ends. */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private pending?: Pending;
  idleSince = 0;

  constructor(
    readonly socket: Socket,
    private readonly onIdle: (connection: Connection) => void,
    private readonly onGone: (connection: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.parse();
    });
    let closed = false;
    const gone = (error?: Error): void => {
      if (closed) return;
      closed = true;
      this.onGone(this);
      this.pending?.reject(error ?? new Error('connection closed'));
      this.pending = undefined;
    };
    socket.on('error', gone);
    socket.on('close', () => gone());
  }

  send(request: Buffer, pending: Pending): void {
    this.pending = pending;
    this.socket.write(request);
  }

  private parse(): void {
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd < 0 || !this.pending) return;
    const head = this.buffer.toString('latin1', 0, headEnd);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let end: number;
    let body: Buffer;
    if (length) {
      end = headEnd + 4 + Number(length[1]);
      if (this.buffer.length < end) return;
      body = this.buffer.subarray(headEnd + 4, end);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const last = this.buffer.indexOf('\r\n0\r\n\r\n', headEnd);
      if (last < 0) return;
      end = last + 7;
      body = dechunk(this.buffer.subarray(headEnd + 4, end));
    } else {
      end = headEnd + 4;
      body = Buffer.alloc(0);
    }
    this.buffer = this.buffer.subarray(end);
    const { resolve } = this.pending;
    this.pending = undefined;
    this.idleSince = Date.now();
    resolve({ status, body });
    this.onIdle(this);
  }
}

/** The data of a chunked body (`<hex size>\r\n<data>\r\n` … `0\r\n\r\n`). */
function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; ; ) {
    const line = raw.indexOf('\r\n', at);
    const size = Number.parseInt(raw.toString('latin1', at, line), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(raw.subarray(line + 2, line + 2 + size));
    at = line + 2 + size + 2;
  }
}

/**
 * A connection idle this long is not reused: Node's server closes keep-alive connections after 5 s, and a request
 * written as the server closes would fail for the client's sake, not the app's.
 */
const MAX_IDLE_MS = 4000;

export interface RawHttpOptions {
  /** Connections open at most; requests beyond that wait for one. */
  maxSockets?: number;
  /** Idle connections older than this are not reused (below the server's keep-alive timeout). */
  maxIdleMs?: number;
  /**
   * Take idle connections in turn (oldest first) instead of the most recent: every connection of a pool opened up
   * front (`connect`) stays in use, so none reaches the server's keep-alive timeout.
   */
  roundRobin?: boolean;
}

/** Up to `maxSockets` keep-alive connections to 127.0.0.1:`port`; requests beyond that wait for one. */
export class RawHttpClient {
  private readonly idle: Connection[] = [];
  private readonly waiting: { request: Buffer; pending: Pending }[] = [];
  private open = 0;
  private readonly maxSockets: number;
  private readonly maxIdleMs: number;
  private readonly roundRobin: boolean;

  constructor(
    private readonly port: number,
    options: RawHttpOptions = {},
  ) {
    this.maxSockets = options.maxSockets ?? 256;
    this.maxIdleMs = options.maxIdleMs ?? MAX_IDLE_MS;
    this.roundRobin = options.roundRobin ?? false;
  }

  /**
   * Opens connections until `count` are open (at most `maxSockets`), as a reverse proxy's upstream pool is open
   * before the traffic: resolves when every one is established and idle.
   */
  async connect(count: number): Promise<void> {
    const opening: Promise<void>[] = [];
    while (this.open < Math.min(count, this.maxSockets)) {
      this.open++;
      const socket = connect(this.port, '127.0.0.1');
      const connection = this.track(socket);
      opening.push(
        new Promise((resolve, reject) => {
          socket.once('connect', () => {
            connection.idleSince = Date.now();
            this.release(connection);
            resolve();
          });
          socket.once('error', reject);
        }),
      );
    }
    await Promise.all(opening);
  }

  /** Sends the request and resolves with the answer's status code. */
  async send(request: Buffer): Promise<number> {
    return (await this.exchange(request)).status;
  }

  /** Sends the request and resolves with the answer's status and body. */
  exchange(request: Buffer): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      let connection = this.takeIdle();
      while (connection && Date.now() - connection.idleSince > this.maxIdleMs) {
        connection.socket.destroy();
        connection = this.takeIdle();
      }
      if (connection) connection.send(request, { resolve, reject });
      else if (this.open < this.maxSockets) this.connectAndSend(request, { resolve, reject });
      else this.waiting.push({ request, pending: { resolve, reject } });
    });
  }

  close(): void {
    for (const connection of this.idle.splice(0)) connection.socket.destroy();
  }

  private connectAndSend(request: Buffer, pending: Pending): void {
    this.open++;
    this.track(connect(this.port, '127.0.0.1')).send(request, pending);
  }

  private track(socket: Socket): Connection {
    return new Connection(
      socket,
      (c) => this.release(c),
      (c) => {
        this.open--;
        const at = this.idle.indexOf(c);
        if (at >= 0) this.idle.splice(at, 1);
        const next = this.waiting.shift();
        if (next) this.connectAndSend(next.request, next.pending);
      },
    );
  }

  private takeIdle(): Connection | undefined {
    return this.roundRobin ? this.idle.shift() : this.idle.pop();
  }

  private release(connection: Connection): void {
    const next = this.waiting.shift();
    if (next) connection.send(next.request, next.pending);
    else this.idle.push(connection);
  }
}
