import type { CaseContact, UnitContact } from '../contacts/contacts.repository.js';
import type { WebhookMessage, WechatMessage, WeiboMessage } from '../senders/sender.js';
import { NotificationPlanner } from './notification.planner.js';
import { fitWithLink } from './templates.js';

const planner = new NotificationPlanner({
  PORTAL_BASE_URL: 'https://wz.example/portal',
  CONSOLE_BASE_URL: 'https://wz.example/console',
  MEDIA_BASE_URL: 'https://wz.example/media',
  SUPERVISION_EMAILS: ['jw@example.cn'],
  WECHAT_TEXT_BYTES: 300,
  WEIBO_TEXT_CHARS: 100,
  WEIBO_COMMENT_CHARS: 140,
  SURVEY_DELAY_MS: 60_000,
  SURVEY_REMINDER_MS: 86_400_000,
});
const kase = (citizen?: CaseContact['citizen']): CaseContact => ({
  inquiryId: 'case-1', trackingNo: 'YL-1', title: '路灯不亮', content: '路灯坏了两周。', attachments: [], citizen, unitId: 'u1', unitName: '市政局',
});
const unit = (over: Partial<UnitContact> = {}): UnitContact => ({
  unitId: 'u1', unitName: '市政局', emails: ['a@u.cn'], webhookUrl: 'https://u.cn/hook', webhookSecret: 's'.repeat(20), prefer: 'email', webhookFailures: 0, webhookDisabled: false, ...over,
});
const assigned = { inquiryId: 'case-1', at: '2026-11-27T00:00:00Z', actor: 'system', unitId: 'u1', unitName: '市政局', coUnitIds: [], acceptDeadline: '2026-11-28T00:00:00Z', replyDeadline: '2026-12-04T09:00:00Z' };

describe(NotificationPlanner.name, () => {
  it('notifies a unit the way it prefers, with e-mail as the webhook’s fallback', () => {
    expect(planner.assigned('e1', assigned, kase(), unit(), false).map((i) => i.message.channel)).toEqual(['email']);
    expect(planner.assigned('e1', assigned, kase(), unit({ prefer: 'both' }), false).map((i) => i.message.channel)).toEqual(['email', 'webhook']);
    const [hook] = planner.assigned('e1', assigned, kase(), unit({ prefer: 'webhook' }), false);
    expect((hook.message as WebhookMessage).fallback?.to).toEqual(['a@u.cn']);
    expect(planner.assigned('e1', assigned, kase(), unit({ prefer: 'webhook', webhookDisabled: true }), false).map((i) => i.message.channel)).toEqual(['email']);
  });

  it('tells a co-handling unit that it co-handles, who leads and the deadline, keyed by event and unit', () => {
    const co = unit({ unitId: 'u2', unitName: '住建局', emails: ['zj@u.cn'], prefer: 'both' });
    const intents = planner.coHandling('e1', assigned, kase(), co);
    expect(intents.map((i) => [i.key, i.purpose, i.message.channel])).toEqual([
      ['e1:co:u2:email', 'co_assignment', 'email'],
      ['e1:co:u2:webhook', 'co_assignment', 'webhook'],
    ]);
    const email = intents[0].message as { subject: string; text: string; to: string[] };
    expect(email.to).toEqual(['zj@u.cn']);
    expect(email.subject).toBe('【榆林百姓问政】协办：YL-1 路灯不亮');
    expect(email.text).toContain('主办单位：市政局');
    expect(email.text).toContain('答复时限：2026/12/04 17:00（北京时间）');
    expect((intents[1].message as WebhookMessage).body).toMatchObject({ role: 'co_handling', unitId: 'u2', leadUnitId: 'u1', leadUnitName: '市政局' });
    expect(planner.coHandling('e1', assigned, kase(), unit({ unitId: 'u3', emails: [], webhookUrl: undefined }))).toEqual([]);
  });

  it('derives stable keys from the event, so planning it twice yields the same keys', () => {
    const keys = () => planner.assigned('e1', assigned, kase(), unit({ prefer: 'both' }), false).map((i) => i.key);
    expect(keys()).toEqual(keys());
    expect(keys()).toEqual(['e1:unit:email', 'e1:unit:webhook']);
  });

  it('states the reply deadline in Beijing time and says when a case was reassigned', () => {
    const [mail] = planner.assigned('e1', assigned, kase(), unit(), true);
    expect(mail.message.channel === 'email' && mail.message.subject).toBe('【榆林百姓问政】改派：YL-1 路灯不亮');
    expect(mail.message.channel === 'email' && mail.message.text).toContain('答复时限：2026/12/04 17:00（北京时间）');
  });

  it('answers a reply on the citizen’s channel with a survey and one reminder later', () => {
    const now = new Date('2026-11-27T08:00:00Z');
    const event = { id: 'ev9', type: 'ReplyPosted' as const, version: 1, occurredAt: '', source: 'r', traceId: 't', payload: { ...assigned, text: '已修复。', attachments: [], onTime: true } };
    const intents = planner.reply(event, kase({ channel: 'wechat', externalUserId: 'oX' }), now);
    expect(intents.map((i) => [i.key, i.purpose, i.notBefore?.toISOString()])).toEqual([
      ['ev9:reply', 'reply', undefined],
      ['ev9:survey', 'survey', '2026-11-27T08:01:00.000Z'],
      ['ev9:survey_reminder', 'survey_reminder', '2026-11-28T08:00:00.000Z'],
    ]);
    expect((intents[0].message as WechatMessage).link).toBe('https://wz.example/portal/cases/YL-1');
    expect(planner.reply(event, kase({ channel: 'open311', externalUserId: 'x' }), now)).toEqual([]);
    expect(planner.reply(event, kase(undefined), now)).toEqual([]);
  });

  it('cuts long texts to the channel’s limit and links the full text', () => {
    const event = { id: 'ev', type: 'ReplyPosted' as const, version: 1, occurredAt: '', source: 'r', traceId: 't', payload: { ...assigned, text: '很长的答复。'.repeat(100), attachments: [], onTime: true } };
    const [wx] = planner.reply(event, kase({ channel: 'wechat', externalUserId: 'oX' }), new Date());
    expect(Buffer.byteLength((wx.message as WechatMessage).text)).toBeLessThanOrEqual(300);
    const [wb] = planner.reply(event, kase({ channel: 'weibo', externalUserId: '1' }), new Date());
    expect([...(wb.message as WeiboMessage).text].length).toBeLessThanOrEqual(100);
    expect((wb.message as WeiboMessage).text).toMatch(/（全文：https:\/\/wz\.example\/portal\/cases\/YL-1）$/);
    expect(fitWithLink('短', 10, 'https://x')).toBe('短');
  });

  it('reports a breach to the unit and the supervision body, a warning to the unit only', () => {
    const sla = { inquiryId: 'case-1', at: '2026-12-04T09:00:00Z', actor: 'system', clock: 'reply' as const, deadline: '2026-12-04T09:00:00Z' };
    expect(planner.sla('s1', 'SlaWarning', sla, kase(), unit()).map((i) => i.recipient)).toEqual(['a@u.cn']);
    expect(planner.sla('s2', 'SlaBreached', sla, kase(), unit()).map((i) => i.recipient)).toEqual(['a@u.cn', 'jw@example.cn']);
  });
});
