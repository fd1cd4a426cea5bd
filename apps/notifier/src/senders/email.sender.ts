import nodemailer, { type Transporter } from 'nodemailer';
import { VendorError, type DeliveryResult, type EmailMessage, type SendContext, type Sender } from './sender.js';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
  timeoutMs: number;
}

/** nodemailer over SMTP; the pooled transport is the only state and holds nothing of a message. */
export class EmailSender implements Sender<EmailMessage> {
  private readonly transport: Transporter;

  constructor(private readonly settings: SmtpSettings) {
    this.transport = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
      pool: true,
      maxConnections: 4,
      connectionTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
      // Loopback and internal relays often have no certificate for their name; TLS is still used when offered.
      tls: { rejectUnauthorized: false },
    });
  }

  async send(message: EmailMessage, context: SendContext): Promise<DeliveryResult> {
    try {
      const info = await this.transport.sendMail({
        from: this.settings.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        // A stable Message-ID per delivery: a re-send after a crash carries the same id, so mail systems can fold it.
        messageId: `<${context.messageId}@notifier.wenzheng>`,
        headers: { 'X-Wenzheng-Delivery': context.messageId },
      });
      return { vendorRef: info.messageId };
    } catch (error) {
      const e = error as { responseCode?: number; code?: string; message: string };
      if (e.responseCode) throw new VendorError('email', `smtp_${e.responseCode}`, e.message);
      throw new VendorError('email', 'network', `${e.code ?? ''} ${e.message}`.trim());
    }
  }

  /** Nest calls this on shutdown: the pool's open SMTP connections would otherwise keep the process alive. */
  onApplicationShutdown(): void {
    this.transport.close();
  }
}
