import { SharedAccessTokens1764400000000 } from '@app/common/channel/access-token.migration.js';
import { Notifier1764300000000 } from './1764300000000-notifier.js';
import { NotifierRetention1764900000200 } from './1764900000200-retention.js';
import { WaitingWindowIndex1765000000000 } from './1765000000000-waiting-window-index.js';
import { DeliveryCallStarted1765100000000 } from './1765100000000-call-started.js';

/** This service's migrations, oldest first (the platform's outbox tables come first, from libs/common). */
export const NOTIFIER_MIGRATIONS: Function[] = [Notifier1764300000000, SharedAccessTokens1764400000000, NotifierRetention1764900000200, WaitingWindowIndex1765000000000, DeliveryCallStarted1765100000000];
