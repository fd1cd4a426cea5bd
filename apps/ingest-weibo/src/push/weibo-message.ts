import { createHash } from 'node:crypto';
import { ChannelError } from '@app/common/channel/channel-error.js';
import type { InboundBody, InboundMessage } from '@app/common/channel/inbound-message.js';

/** The push types of ../shared/reference/weibo.md, typed; every id is a string. */
interface Common {
  receiver_id: string;
  sender_id: string;
  created_at: string;
  text: string;
}
export type WeiboMessage = Common &
  (
    | { type: 'text' }
    | { type: 'position'; longitude: string; latitude: string }
    | { type: 'image' | 'voice'; vfid: string; tovfid: string }
    | { type: 'event'; subtype: string; key?: string }
    | { type: 'mention'; subtype: string; key: string }
    | { type: 'unknown'; raw: string }
  );

const ID = /^\d{1,20}$/;
const KNOWN_TYPES = ['text', 'position', 'image', 'voice', 'event', 'mention'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Weibo's date format, `Mon Jul 16 18:09:20 +0800 2012`; undefined when it is not one. */
export function parseWeiboDate(value: string): Date | undefined {
  const m = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/.exec(value);
  const month = m ? MONTHS.indexOf(m[1]) : -1;
  if (!m || month < 0) return undefined;
  const offsetMin = (m[6] === '-' ? -1 : 1) * (Number(m[7]) * 60 + Number(m[8]));
  const [day, hour, minute, second] = [m[2], m[3], m[4], m[5]].map(Number);
  const local = Date.UTC(Number(m[9]), month, day, hour, minute, second);
  // Date.UTC rolls "Jul 99 99:99:99" over into October: a date that does not exist is not a date.
  if (new Date(local).getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  const utc = local - offsetMin * 60_000;
  return Number.isFinite(utc) ? new Date(utc) : undefined;
}

/** A 64-bit id as the platform sends it (a number, or a string after `parseWeiboJson`), as a string. */
export function weiboId(value: unknown, name: string, required = true): string {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text === 'string' && ID.test(text)) return text;
  if (!required && (value === undefined || value === null || value === '')) return '';
  throw new ChannelError('malformed', `${name} is not a Weibo id`);
}

/** A text the platform stores: PostgreSQL cannot hold U+0000, so a push carrying one is malformed. */
const storable = (value: string, name: string): string => {
  if (value.includes('\u0000')) throw new ChannelError('malformed', `${name} contains U+0000`);
  return value;
};

const field = (record: Record<string, unknown>, name: string): string => {
  const value = record[name];
  if (typeof value === 'string') return storable(value.slice(0, 4000), `data.${name}`);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
};

/** Checks the fields each type must have and returns the typed message; unknown types come back as `unknown`. */
export function toWeiboMessage(body: unknown): WeiboMessage {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ChannelError('malformed', 'the push is not a JSON object');
  const record = body as Record<string, unknown>;
  const rawData = record.data;
  const data = typeof rawData === 'object' && rawData !== null && !Array.isArray(rawData) ? (rawData as Record<string, unknown>) : {};
  const common: Common = {
    receiver_id: weiboId(record.receiver_id, 'receiver_id'),
    sender_id: weiboId(record.sender_id, 'sender_id'),
    created_at: typeof record.created_at === 'string' ? record.created_at : '',
    text: typeof record.text === 'string' ? record.text : '',
  };
  if (!parseWeiboDate(common.created_at)) throw new ChannelError('malformed', 'created_at is not a Weibo date');
  const type = typeof record.type === 'string' ? record.type : '';
  // Unknown types are ignored, never rejected (reference), so only a known type's text must be storable.
  if (KNOWN_TYPES.includes(type)) storable(common.text, 'text');
  switch (type) {
    case 'text':
      return { ...common, type };
    case 'position':
      return { ...common, type, longitude: field(data, 'longitude'), latitude: field(data, 'latitude') };
    case 'image':
    case 'voice':
      return { ...common, type, vfid: weiboId(data.vfid, 'data.vfid', false), tovfid: weiboId(data.tovfid, 'data.tovfid') };
    case 'event':
      return { ...common, type, subtype: field(data, 'subtype'), key: field(data, 'key') || undefined };
    case 'mention':
      return { ...common, type, subtype: field(data, 'subtype'), key: weiboId(data.key, 'data.key', false) };
    default:
      return { ...common, type: 'unknown', raw: type.slice(0, 40) };
  }
}

const coordinate = (value: string, limit: number): number | undefined => {
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) && Math.abs(n) <= limit ? n : undefined;
};

/** A mention is known by its post or comment, so a pushed and a polled copy of it are one. */
export const mentionKey = (subtype: 'status' | 'comment', id: string): string => `mention:${subtype}:${id}`;

/** Weibo messages have no id: a push is known by sender_id + created_at + type + a hash of its content (reference, "Retries"). */
export function dedupKeyOf(message: Exclude<WeiboMessage, { type: 'unknown' }>): string {
  const { receiver_id: _r, sender_id: _s, created_at: _c, ...content } = message;
  const hash = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 24);
  return `${message.sender_id}:${message.created_at}:${message.type}:${hash}`;
}

/** Maps a Weibo push to the common inbound message of account `uid`; null for unknown types. */
export function toInboundMessage(message: WeiboMessage, uid: string): InboundMessage | null {
  if (message.type === 'unknown') return null;
  const base = { channel: 'weibo' as const, account: uid, userId: message.sender_id, sentAt: parseWeiboDate(message.created_at)! };
  const body = ((): InboundBody => {
    switch (message.type) {
      case 'text':
        return { kind: 'text', text: message.text };
      case 'position': {
        const latitude = coordinate(message.latitude, 90);
        const longitude = coordinate(message.longitude, 180);
        if (latitude === undefined || longitude === undefined) return { kind: 'ignored', what: 'position without coordinates' };
        return { kind: 'location', latitude, longitude };
      }
      case 'image':
        // msget takes the receiver's copy of the file (`tovfid`).
        return { kind: 'media', media: 'photo', vendorMediaId: message.tovfid };
      case 'voice':
        return { kind: 'media', media: 'voice', vendorMediaId: message.tovfid };
      case 'event':
        return eventBody(message.subtype, message.key ?? '');
      case 'mention':
        return mentionBody(message);
    }
  })();
  if (body.kind === 'mention') return { ...base, dedupKey: mentionKey('status', body.statusId), vendorMessageId: body.statusId, body };
  return { ...base, dedupKey: dedupKeyOf(message), body };
}

function eventBody(subtype: string, key: string): InboundBody {
  switch (subtype) {
    case 'follow':
    case 'subscribe':
    case 'scan_follow':
      return { kind: 'follow' };
    case 'unfollow':
    case 'unsubscribe':
      return { kind: 'unfollow' };
    case 'click':
      return { kind: 'menu', key };
    case 'scan':
    case 'view':
      // Both are deliberate acts that open the 48-hour reply window (reference, "Outbound").
      return { kind: 'ignored', what: `event ${subtype}`, citizenAction: true };
    default:
      return { kind: 'ignored', what: `event ${subtype.slice(0, 40)}` };
  }
}

/**
 * A pushed @mention of a post carries the post's text; a pushed comment mention does not name its post, so it
 * is left to polling (comments/mentions gives both), which finds it under the same key.
 */
function mentionBody(message: Extract<WeiboMessage, { type: 'mention' }>): InboundBody {
  if (message.subtype === 'status' && message.key && message.text.trim()) {
    return { kind: 'mention', text: message.text, statusId: message.key };
  }
  return { kind: 'ignored', what: `mention ${message.subtype.slice(0, 20)} left to polling` };
}
