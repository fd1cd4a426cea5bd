import { newId, type Citizen, type EventOf, type PayloadOf, type TOPICS } from '@app/common';
import type { CaseContact, UnitContact } from '../contacts/contacts.repository.js';
import type { DeliveryIntent } from '../delivery/delivery.repository.js';
import type { NotifierEnv } from '../config.js';
import type { EmailMessage, Message } from '../senders/sender.js';
import {
  beijingTime,
  caseRef,
  CLOCK_NAMES,
  emailBody,
  fitWithLink,
  photoLinks,
  RATING_PROMPT,
  SITE,
  summary,
} from './templates.js';

type CaseEvents = typeof TOPICS.caseEvents;
type OutboundPurpose = PayloadOf<typeof TOPICS.channelOutbound, 'OutboundMessage'>['purpose'];

/** The reminder's status: a WeChat template shows only the status and a time, so it must not read as the call-back again. */
const REMINDER_STATUS = '提醒：尚未评价办理结果';

/** The short status a WeChat template and a public Weibo comment show for a desk message. */
const OUTBOUND_STATUS: Record<OutboundPurpose, string> = {
  acknowledgement: '已受理',
  reply: '已答复',
  survey: '请评价办理结果',
  survey_reminder: REMINDER_STATUS,
  info_request: '请补充信息',
  rejection: '未予受理',
};
type Assigned = PayloadOf<CaseEvents, 'Assigned'>;
type SlaEvent = PayloadOf<CaseEvents, 'SlaWarning'>;

export type PlannerSettings = Pick<
  NotifierEnv,
  | 'PORTAL_BASE_URL'
  | 'CONSOLE_BASE_URL'
  | 'MEDIA_BASE_URL'
  | 'SUPERVISION_EMAILS'
  | 'WECHAT_TEXT_BYTES'
  | 'WEIBO_TEXT_CHARS'
  | 'WEIBO_COMMENT_CHARS'
  | 'SURVEY_DELAY_MS'
  | 'SURVEY_REMINDER_MS'
>;

interface CitizenText {
  /** The full text (app, e-mail-like channels), cut and linked where a channel needs it. */
  text: string;
  /** A short status for the WeChat template and the public Weibo comment thread. */
  status: string;
}

/**
 * Turns case events into delivery intents. Pure: no I/O, so every rule here is unit-tested. Keys derive
 * from the event id (or the router's message id), so planning the same event twice yields the same keys.
 */
export class NotificationPlanner {
  constructor(private readonly s: PlannerSettings) {}

  caseLink = (c: Pick<CaseContact, 'trackingNo' | 'inquiryId'>): string => `${this.s.PORTAL_BASE_URL}/cases/${encodeURIComponent(caseRef(c))}`;
  consoleLink = (inquiryId: string): string => `${this.s.CONSOLE_BASE_URL}/cases/${encodeURIComponent(inquiryId)}`;

  assigned(eventId: string, p: Assigned, c: CaseContact, unit: UnitContact | undefined, reassigned: boolean): DeliveryIntent[] {
    if (!unit) return [];
    const kind = reassigned ? '改派' : '交办';
    const email = this.unitEmail(unit, `【${SITE}】${kind}：${caseRef(c)} ${c.title ?? ''}`.trim(), `${unit.unitName}：有一件诉求${kind}给贵单位办理`, c, [
      ['签收时限', beijingTime(p.acceptDeadline)],
      ['答复时限', beijingTime(p.replyDeadline)],
    ], ['请在签收时限内登录平台签收，并在答复时限内答复群众。如非贵单位职责，请在签收时退回并说明理由。']);
    const body = {
      inquiryId: p.inquiryId,
      trackingNo: c.trackingNo,
      title: c.title,
      summary: summary(c.content, 1000),
      unitId: p.unitId,
      unitName: p.unitName,
      acceptDeadline: p.acceptDeadline,
      replyDeadline: p.replyDeadline,
      reassigned,
      photos: photoLinks(c.attachments, this.s.MEDIA_BASE_URL).map(([, url]) => url),
      consoleUrl: this.consoleLink(p.inquiryId),
    };
    return this.unitIntents(`${eventId}:unit`, p.inquiryId, 'assignment', unit, email, 'case.assigned', body);
  }

  /** A co-handling unit's own notice: that it co-handles, who leads, the deadline; one per (event, unit). */
  coHandling(eventId: string, p: Assigned, c: CaseContact, co: UnitContact): DeliveryIntent[] {
    const email = this.unitEmail(co, `【${SITE}】协办：${caseRef(c)} ${c.title ?? ''}`.trim(), `${co.unitName}：贵单位为一件诉求的协办单位`, c, [
      ['主办单位', p.unitName],
      ['答复时限', beijingTime(p.replyDeadline)],
    ], [`本件由${p.unitName}主办，贵单位协办。请在答复时限前登录平台提交协办意见，由主办单位统一答复群众。`]);
    const body = {
      inquiryId: p.inquiryId,
      trackingNo: c.trackingNo,
      title: c.title,
      summary: summary(c.content, 1000),
      unitId: co.unitId,
      unitName: co.unitName,
      role: 'co_handling',
      leadUnitId: p.unitId,
      leadUnitName: p.unitName,
      replyDeadline: p.replyDeadline,
      photos: photoLinks(c.attachments, this.s.MEDIA_BASE_URL).map(([, url]) => url),
      consoleUrl: this.consoleLink(p.inquiryId),
    };
    return this.unitIntents(`${eventId}:co:${co.unitId}`, p.inquiryId, 'co_assignment', co, email, 'case.co_assigned', body);
  }

  sla(eventId: string, type: 'SlaWarning' | 'SlaBreached', p: SlaEvent, c: CaseContact, unit: UnitContact | undefined): DeliveryIntent[] {
    const breached = type === 'SlaBreached';
    const clock = CLOCK_NAMES[p.clock];
    const word = breached ? '已超期' : '即将到期';
    const facts: [string, string][] = [
      ['环节', `${clock}时限`],
      ['时限', beijingTime(p.deadline)],
      ['承办单位', c.unitName ?? '（尚未交办）'],
    ];
    const intents: DeliveryIntent[] = [];
    if (unit && unit.emails.length > 0 && p.clock !== 'desk') {
      const advice = breached ? '该件已超过时限，已同时报送督查部门。请立即办理并答复。' : '请在时限前完成办理，避免超期。';
      const email = this.email(unit.emails, `【${SITE}】${clock}${word}：${caseRef(c)}`, `${unit.unitName}：诉求${clock}${word}`, c, facts, [advice]);
      intents.push(this.intent(`${eventId}:email:unit`, p.inquiryId, breached ? 'sla_breach' : 'sla_warning', email));
    }
    if (breached && this.s.SUPERVISION_EMAILS.length > 0) {
      const email = this.email(this.s.SUPERVISION_EMAILS, `【${SITE}】督办：${caseRef(c)} ${clock}超期`, `诉求${clock}超期，请督办`, c, facts, [
        `超期时间：${beijingTime(p.at)}`,
      ]);
      intents.push(this.intent(`${eventId}:email:supervision`, p.inquiryId, 'sla_breach', email));
    }
    return intents;
  }

  reply(event: EventOf<CaseEvents> & { type: 'ReplyPosted' }, c: CaseContact, now: Date): DeliveryIntent[] {
    const p = event.payload;
    const ref = caseRef(c);
    const intents = this.citizen(`${event.id}:reply`, c, 'reply', {
      text: `【${SITE}】您反映的问题（编号 ${ref}）已有答复。\n${p.unitName}答复：${p.text}`,
      status: `${p.unitName}已答复`,
    });
    if (intents.length === 0) return [];
    const survey = (purpose: 'survey' | 'survey_reminder', delay: number, t: CitizenText): DeliveryIntent[] =>
      this.citizen(`${event.id}:${purpose}`, c, purpose, t, new Date(now.getTime() + delay));
    return [
      ...intents,
      ...survey('survey', this.s.SURVEY_DELAY_MS, { text: `【${SITE}】您反映的问题（编号 ${ref}）已答复。${RATING_PROMPT}`, status: OUTBOUND_STATUS.survey }),
      ...survey('survey_reminder', this.s.SURVEY_REMINDER_MS, {
        text: `【${SITE}】提醒：您还未评价编号 ${ref} 的办理结果。${RATING_PROMPT}`,
        status: REMINDER_STATUS,
      }),
    ];
  }

  rejected(eventId: string, reason: string, c: CaseContact): DeliveryIntent[] {
    return this.citizen(`${eventId}:rejection`, c, 'rejection', {
      text: `【${SITE}】很抱歉，您反映的问题（编号 ${caseRef(c)}）未予受理。原因：${reason}`,
      status: '未予受理',
    });
  }

  outbound(p: PayloadOf<typeof TOPICS.channelOutbound, 'OutboundMessage'>, c: CaseContact | undefined): DeliveryIntent[] {
    const contact: CaseContact = { ...(c ?? { inquiryId: p.inquiryId ?? p.messageId, attachments: [] }), citizen: p.citizen };
    const text = p.link ? `${p.text}\n${p.link}` : p.text;
    const [intent] = this.citizen(`outbound:${p.messageId}`, contact, p.purpose, { text, status: OUTBOUND_STATUS[p.purpose] }, undefined, p.link);
    return intent ? [{ ...intent, messageId: p.messageId }] : [];
  }

  /** One message for the citizen on their own channel; none for a channel we cannot send on. */
  private citizen(key: string, c: CaseContact, purpose: string, t: CitizenText, notBefore?: Date, link?: string): DeliveryIntent[] {
    const citizen: Citizen | undefined = c.citizen;
    if (!citizen) return [];
    const url = link ?? this.caseLink(c);
    let message: Message;
    switch (citizen.channel) {
      case 'wechat':
        message = {
          channel: 'wechat',
          openId: citizen.externalUserId,
          text: fitWithLink(t.text, this.s.WECHAT_TEXT_BYTES, url, 'bytes'),
          link: url,
          template: { first: `您好，您在${SITE}反映的问题有新进展`, keyword1: caseRef(c), keyword2: t.status, keyword3: beijingTime(new Date().toISOString()), remark: '点击查看详情' },
        };
        break;
      case 'weibo':
        message = {
          channel: 'weibo',
          uid: citizen.externalUserId,
          text: fitWithLink(t.text, this.s.WEIBO_TEXT_CHARS, url),
          // The comment thread is public: the status and a link only, never the citizen's details.
          commentText: fitWithLink(`您好，编号 ${caseRef(c)} 的诉求：${t.status}。详情：${url}`, this.s.WEIBO_COMMENT_CHARS, url),
          thread: c.weiboThread,
        };
        break;
      case 'app':
        message = { channel: 'app', userId: citizen.externalUserId, title: `${SITE}：${t.status}`, text: t.text, link: url };
        break;
      case 'open311':
        return [];
      default: {
        const unknown: never = citizen.channel;
        throw new Error(`unknown channel ${String(unknown)}`);
      }
    }
    return [{ key, messageId: newId(), inquiryId: c.inquiryId, purpose, recipient: `${citizen.channel}:${citizen.externalUserId}`, message, notBefore }];
  }

  private unitIntents(key: string, inquiryId: string, purpose: string, unit: UnitContact, email: EmailMessage | undefined, event: string, body: Record<string, unknown>): DeliveryIntent[] {
    const webhookUsable = !!unit.webhookUrl && !unit.webhookDisabled;
    const wantsWebhook = webhookUsable && unit.prefer !== 'email';
    const wantsEmail = !!email && (unit.prefer !== 'webhook' || !webhookUsable);
    const intents: DeliveryIntent[] = [];
    if (wantsEmail) intents.push(this.intent(`${key}:email`, inquiryId, purpose, email));
    if (wantsWebhook) {
      intents.push({
        key: `${key}:webhook`,
        messageId: newId(),
        inquiryId,
        purpose,
        recipient: unit.unitId,
        message: { channel: 'webhook', unitId: unit.unitId, event, body, fallback: wantsEmail ? undefined : email },
      });
    }
    return intents;
  }

  private unitEmail(unit: UnitContact, subject: string, heading: string, c: CaseContact, facts: [string, string][], paragraphs: string[]): EmailMessage | undefined {
    return unit.emails.length ? this.email(unit.emails, subject, heading, c, facts, paragraphs) : undefined;
  }

  private email(to: string[], subject: string, heading: string, c: CaseContact, facts: [string, string][], paragraphs: string[]): EmailMessage {
    const body = emailBody(
      subject,
      heading,
      [['编号', caseRef(c)], ['标题', c.title ?? '（无标题）'], ['受理时间', beijingTime(c.receivedAt)], ...facts],
      [`诉求内容：${summary(c.content)}`, ...paragraphs],
      [...photoLinks(c.attachments, this.s.MEDIA_BASE_URL), ['在平台中查看', this.consoleLink(c.inquiryId)]],
    );
    return { channel: 'email', to, ...body };
  }

  private intent(key: string, inquiryId: string, purpose: string, message: EmailMessage): DeliveryIntent {
    return { key, messageId: newId(), inquiryId, purpose, recipient: message.to.join(','), message };
  }
}
