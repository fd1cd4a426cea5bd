import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on loopback; every message that arrives is parsed with mailparser, unless started with
 * `parse: false` (a load that only counts messages: the benchmark's process shares the machine with the platform).
 */
export class SmtpSink {
  readonly mails: ParsedMail[] = [];
  /** Messages accepted, parsed or not. */
  received = 0;
  /** performance.now() at each arrival, index for index with `mails`. */
  readonly arrivals: number[] = [];
  private readonly rejections: number[] = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(options: { parse?: boolean } = {}): Promise<SmtpSink> {
    let self: SmtpSink | undefined;
    const parse = options.parse ?? true;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      size: 10 * 1024 * 1024,
      onData(stream, _session, callback) {
        const code = self!.rejections.shift();
        // The whole message is read either way; then it is refused (as asked) or kept.
        const settle = (mail?: ParsedMail) => {
          if (code) return callback(Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: code }));
          if (mail) self!.mails.push(mail);
          self!.received++;
          self!.arrivals.push(performance.now());
          callback();
        };
        if (parse) simpleParser(stream).then(settle, (error: Error) => callback(error));
        else stream.on('end', () => settle()).resume();
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    self = new SmtpSink(server, (server.server.address() as AddressInfo).port);
    return self;
  }

  /** The next message is refused with this SMTP code (4xx: try later, 5xx: permanent). */
  rejectNext(code: number): void {
    this.rejections.push(code);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
