import type { InboundBody, InboundMessage } from '@app/common/channel/inbound-message.js';
import { ChannelError } from '@app/common/channel/channel-error.js';
import type { XmlRecord } from './wechat-xml.js';

/** The push types of ../shared/reference/wechat.md, typed; every id stays a string. */
interface Common {
  ToUserName: string;
  FromUserName: string;
  CreateTime: string;
}
export type WechatMessage = Common &
  (
    | { MsgType: 'text'; MsgId: string; Content: string }
    | { MsgType: 'image'; MsgId: string; PicUrl: string; MediaId: string }
    | { MsgType: 'voice'; MsgId: string; MediaId: string; Format: string; Recognition?: string }
    | { MsgType: 'video' | 'shortvideo'; MsgId: string; MediaId: string; ThumbMediaId: string }
    | { MsgType: 'location'; MsgId: string; Location_X: string; Location_Y: string; Scale: string; Label: string }
    | { MsgType: 'link'; MsgId: string; Title: string; Description: string; Url: string }
    | { MsgType: 'event'; Event: 'subscribe' | 'unsubscribe' | 'SCAN'; EventKey?: string; Ticket?: string }
    | { MsgType: 'event'; Event: 'LOCATION'; Latitude: string; Longitude: string; Precision: string }
    | { MsgType: 'event'; Event: 'CLICK' | 'VIEW'; EventKey: string }
    | { MsgType: 'event'; Event: 'TEMPLATESENDJOBFINISH'; MsgID?: string; Status: string }
    | { MsgType: 'event'; Event: string; EventKey?: string }
    | { MsgType: 'unknown'; raw: string }
  );

const str = (record: XmlRecord, name: string, required = true): string => {
  const value = record[name];
  if (typeof value === 'string') return value;
  if (required) throw new ChannelError('malformed', `missing <${name}>`, -40002);
  return '';
};

const MSG_TYPES = ['text', 'image', 'voice', 'video', 'shortvideo', 'location', 'link', 'event'] as const;

/** Checks the fields each type must have and returns the typed message. */
export function toWechatMessage(record: XmlRecord): WechatMessage {
  const common: Common = {
    ToUserName: str(record, 'ToUserName'),
    FromUserName: str(record, 'FromUserName'),
    CreateTime: str(record, 'CreateTime'),
  };
  if (!/^\d{1,12}$/.test(common.CreateTime)) throw new ChannelError('malformed', 'CreateTime is not seconds', -40002);
  if (!common.FromUserName) throw new ChannelError('malformed', 'empty FromUserName', -40002);
  const type = str(record, 'MsgType');
  const kind = (MSG_TYPES as readonly string[]).includes(type) ? (type as (typeof MSG_TYPES)[number]) : undefined;
  const msgId = (): string => {
    const id = str(record, 'MsgId');
    if (!/^\d{1,20}$/.test(id)) throw new ChannelError('malformed', 'MsgId is not a number', -40002);
    return id;
  };
  switch (kind) {
    case undefined:
      return { ...common, MsgType: 'unknown', raw: type };
    case 'text':
      return { ...common, MsgType: kind, MsgId: msgId(), Content: str(record, 'Content') };
    case 'image':
      return { ...common, MsgType: kind, MsgId: msgId(), PicUrl: str(record, 'PicUrl', false), MediaId: str(record, 'MediaId') };
    case 'voice': {
      const recognition = str(record, 'Recognition', false);
      return {
        ...common,
        MsgType: kind,
        MsgId: msgId(),
        MediaId: str(record, 'MediaId'),
        Format: str(record, 'Format', false),
        ...(recognition ? { Recognition: recognition } : {}),
      };
    }
    case 'video':
    case 'shortvideo':
      return { ...common, MsgType: kind, MsgId: msgId(), MediaId: str(record, 'MediaId'), ThumbMediaId: str(record, 'ThumbMediaId', false) };
    case 'location':
      return {
        ...common,
        MsgType: kind,
        MsgId: msgId(),
        Location_X: str(record, 'Location_X'),
        Location_Y: str(record, 'Location_Y'),
        Scale: str(record, 'Scale', false),
        Label: str(record, 'Label', false),
      };
    case 'link':
      return { ...common, MsgType: kind, MsgId: msgId(), Title: str(record, 'Title', false), Description: str(record, 'Description', false), Url: str(record, 'Url', false) };
    case 'event': {
      const event = str(record, 'Event');
      const rest: Record<string, string> = {};
      for (const name of ['EventKey', 'Ticket', 'Latitude', 'Longitude', 'Precision', 'Status', 'MsgID']) {
        const value = record[name];
        if (typeof value === 'string') rest[name] = value;
      }
      return { ...common, MsgType: 'event', Event: event, ...rest } as WechatMessage;
    }
  }
}

const coordinate = (value: string, limit: number): number | undefined => {
  const n = Number(value);
  return Number.isFinite(n) && Math.abs(n) <= limit && value.trim() !== '' ? n : undefined;
};

/** Maps a WeChat message to the common inbound message of account `appId`; null for unknown types. */
export function toInboundMessage(message: WechatMessage, appId: string): InboundMessage | null {
  if (message.MsgType === 'unknown') return null;
  const sentAt = new Date(Number(message.CreateTime) * 1000);
  const base = { channel: 'wechat' as const, account: appId, userId: message.FromUserName, sentAt };
  if (message.MsgType === 'event') {
    const dedupKey = `${message.FromUserName}:${message.CreateTime}:${message.Event}`;
    return { ...base, dedupKey, body: eventBody(message) };
  }
  const body = ((): InboundBody => {
    switch (message.MsgType) {
      case 'text':
        return { kind: 'text', text: message.Content };
      case 'image':
        return { kind: 'media', media: 'photo', vendorMediaId: message.MediaId };
      case 'voice':
        return { kind: 'media', media: 'voice', vendorMediaId: message.MediaId, recognition: message.Recognition };
      case 'video':
      case 'shortvideo':
        return { kind: 'media', media: 'video', vendorMediaId: message.MediaId };
      case 'location': {
        const latitude = coordinate(message.Location_X, 90);
        const longitude = coordinate(message.Location_Y, 180);
        if (latitude === undefined || longitude === undefined) return { kind: 'ignored', what: 'location without coordinates' };
        return { kind: 'location', latitude, longitude, address: message.Label || undefined };
      }
      case 'link':
        return { kind: 'link', title: message.Title, url: message.Url, description: message.Description || undefined };
    }
  })();
  return { ...base, dedupKey: message.MsgId, vendorMessageId: message.MsgId, body };
}

function eventBody(message: Extract<WechatMessage, { MsgType: 'event' }>): InboundBody {
  const key = 'EventKey' in message ? (message.EventKey ?? '') : '';
  switch (message.Event) {
    case 'subscribe':
      return { kind: 'follow' };
    case 'unsubscribe':
      return { kind: 'unfollow' };
    case 'CLICK':
      return { kind: 'menu', key };
    case 'SCAN':
      return { kind: 'ignored', what: 'event SCAN', citizenAction: true };
    case 'LOCATION':
    case 'VIEW':
    case 'TEMPLATESENDJOBFINISH':
      return { kind: 'ignored', what: `event ${message.Event}` };
    default:
      return { kind: 'ignored', what: `event ${message.Event.slice(0, 40)}` };
  }
}
