import { ConversationTables1764300000000 } from '@app/common/conversation/conversation.migration.js';
import { WeiboPush1764300200000 } from './1764300200000-weibo-push.js';

/** This service's migrations, oldest first (the platform's outbox tables come first, from libs/common). */
export const INGEST_WEIBO_MIGRATIONS: Function[] = [ConversationTables1764300000000, WeiboPush1764300200000];
