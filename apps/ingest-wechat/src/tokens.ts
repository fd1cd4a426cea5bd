/** The app's validated configuration (IngestWechatConfig), injectable by this token. */
export const CONFIG = Symbol('INGEST_WECHAT_CONFIG');
