import { vendorFetch, VendorError, type DeliveryResult, type SendContext, type Sender, type WeiboMessage } from './sender.js';

interface WeiboAnswer {
  error?: string;
  error_code?: number;
  id?: number | string;
  idstr?: string;
}

/** Private replies through messages/reply.json inside the window, comment-thread replies otherwise (weibo.md). */
export class WeiboSender implements Sender<WeiboMessage> {
  constructor(private readonly settings: { apiBase: string; messageApiBase: string; accessToken: string; timeoutMs: number }) {}

  async send(message: WeiboMessage, context: SendContext): Promise<DeliveryResult> {
    const { apiBase, messageApiBase, accessToken } = this.settings;
    await context.callStarting?.();
    if ((message.mode ?? 'message') === 'message') {
      // `data` is URL-encoded JSON inside a form-encoded body: encoded twice on the wire, as the platform expects.
      const form = new URLSearchParams({
        receiver_id: message.uid,
        type: 'text',
        data: encodeURIComponent(JSON.stringify({ text: message.text })),
        save_sender_box: '1',
      });
      return this.post(`${messageApiBase}/2/messages/reply.json?access_token=${encodeURIComponent(accessToken)}`, form);
    }
    if (!message.thread) throw new VendorError('weibo', 'no_thread', 'no post to comment on');
    const form = new URLSearchParams({ access_token: accessToken, id: message.thread.statusId, comment: message.commentText });
    if (message.thread.commentId) {
      form.set('cid', message.thread.commentId);
      return this.post(`${apiBase}/2/comments/reply.json`, form);
    }
    return this.post(`${apiBase}/2/comments/create.json`, form);
  }

  private async post(url: string, form: URLSearchParams): Promise<DeliveryResult> {
    const response = await vendorFetch(
      'weibo',
      url,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body: form.toString() },
      this.settings.timeoutMs,
    );
    const raw = await response.text();
    let answer: WeiboAnswer = {};
    try {
      answer = JSON.parse(raw.replace(/"id"\s*:\s*(\d+)/, '"id":"$1"')) as WeiboAnswer;
    } catch {
      if (response.ok) return { vendorRef: 'ok' };
    }
    if (answer.error_code || !response.ok) {
      throw new VendorError('weibo', String(answer.error_code ?? `http_${response.status}`), answer.error ?? raw.slice(0, 200));
    }
    return { vendorRef: answer.idstr ?? (answer.id !== undefined ? String(answer.id) : 'ok') };
  }
}
