import { IngestApp1764300000000 } from './1764300000000-ingest-app.js';
import { Open3111764300500000 } from './1764300500000-open311.js';
import { Notifications1764300600000 } from './1764300600000-notifications.js';
import { IngestAppRetention1764900000100 } from './1764900000100-retention.js';

/** This service's migrations, oldest first (the platform's outbox tables come first, from libs/common). */
export const INGEST_APP_MIGRATIONS: Function[] = [
  IngestApp1764300000000,
  Open3111764300500000,
  Notifications1764300600000,
  IngestAppRetention1764900000100,
];
