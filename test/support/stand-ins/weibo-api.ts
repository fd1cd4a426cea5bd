/** The notifier's name for the one Weibo stand-in (test/support/weibo-stand-in.ts), which also serves ingest-weibo. */
export { WeiboStandIn as WeiboApiStandIn, type WeiboComment, type WeiboPrivateReply } from '../weibo-stand-in.js';
