import { WechatTokenError, type WechatAccessTokens } from '@app/common/channel/wechat-access-token.js';
import { vendorFetch, VendorError, type DeliveryResult, type SendContext, type Sender, type WechatMessage } from './sender.js';

interface WechatAnswer {
  errcode?: number;
  errmsg?: string;
  msgid?: number | string;
}

/** Customer-service messages inside the window, template messages outside it (wechat.md, Outbound APIs). */
export class WechatSender implements Sender<WechatMessage> {
  constructor(
    private readonly tokens: WechatAccessTokens,
    private readonly settings: { apiBase: string; appId: string; appSecret: string; templateId: string; timeoutMs: number },
  ) {}

  async send(message: WechatMessage, context: SendContext): Promise<DeliveryResult> {
    const token = await this.token();
    await context.callStarting?.();
    const mode = message.mode ?? 'template';
    const [path, body] =
      mode === 'custom'
        ? ['/cgi-bin/message/custom/send', { touser: message.openId, msgtype: 'text', text: { content: message.text } }]
        : [
            '/cgi-bin/message/template/send',
            {
              touser: message.openId,
              template_id: this.settings.templateId,
              url: message.link,
              data: Object.fromEntries(Object.entries(message.template).map(([k, value]) => [k, { value }])),
            },
          ];
    const response = await vendorFetch(
      'wechat',
      `${this.settings.apiBase}${path}?access_token=${encodeURIComponent(token)}`,
      { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) },
      this.settings.timeoutMs,
    );
    // Every answer is HTTP 200; failure is a non-zero errcode in the body. msgid exceeds 2^53: keep its digits.
    const raw = await response.text();
    let answer: WechatAnswer;
    try {
      answer = JSON.parse(raw.replace(/"msgid"\s*:\s*(\d+)/, '"msgid":"$1"')) as WechatAnswer;
    } catch {
      throw new VendorError('wechat', `http_${response.status}`, 'answer is not JSON', response.ok);
    }
    if (answer.errcode) throw new VendorError('wechat', String(answer.errcode), answer.errmsg ?? '', false, token);
    return { vendorRef: answer.msgid !== undefined ? String(answer.msgid) : mode };
  }

  /** From the store shared with ingest-wechat; a failed `cgi-bin/token` is a vendor failure like any other. */
  private async token(): Promise<string> {
    try {
      return await this.tokens.get({ appId: this.settings.appId, appSecret: this.settings.appSecret });
    } catch (error) {
      if (!(error instanceof WechatTokenError)) throw error;
      throw new VendorError('wechat', error.errcode === -2 ? 'network' : String(error.errcode), `token: ${error.message}`);
    }
  }
}
