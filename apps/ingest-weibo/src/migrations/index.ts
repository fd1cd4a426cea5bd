/** This service's migrations, oldest first (the platform's outbox tables come first, from libs/common). */
export const INGEST_WEIBO_MIGRATIONS: Function[] = [];
