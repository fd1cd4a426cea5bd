import { ConversationTables1764300000000 } from '@app/common/conversation/conversation.migration.js';
import { SharedAccessTokens1764400000000 } from '@app/common/channel/access-token.migration.js';
import { WechatPush1764300100000 } from './1764300100000-wechat-push.js';

/** This service's migrations, oldest first (the platform's outbox tables come first, from libs/common). */
export const INGEST_WECHAT_MIGRATIONS: Function[] = [ConversationTables1764300000000, WechatPush1764300100000, SharedAccessTokens1764400000000];
