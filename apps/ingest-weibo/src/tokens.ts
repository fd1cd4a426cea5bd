/** The app's validated configuration (IngestWeiboConfig), injectable by this token. */
export const CONFIG = Symbol('INGEST_WEIBO_CONFIG');
