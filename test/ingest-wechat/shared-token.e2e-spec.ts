import { WechatAccessTokens } from '@app/common/channel/wechat-access-token.js';
import { WechatApiClient } from '../../apps/ingest-wechat/src/media/wechat-api.client.js';
import { NotifierHarness } from '../notifier/support/notifier-harness.js';
import { WechatStandIn } from '../support/wechat-stand-in.js';
import { bootWechat, type BootedWechat } from './boot.js';
import { ACCOUNT_A } from './wechat-client.js';

/**
 * Issue 4 item 6: one token store for every service that calls the WeChat API with the same AppID. A new
 * token invalidates the old one (wechat.md), so two refreshers would keep breaking each other's calls.
 */
describe('the WeChat access token shared by ingest-wechat and the notifier', () => {
  const stand = new WechatStandIn([{ appId: ACCOUNT_A.appId, secret: ACCOUNT_A.appSecret }]);
  const photo = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
  const credentials = { appId: ACCOUNT_A.appId, appSecret: ACCOUNT_A.appSecret };
  let ingest: BootedWechat[] = [];
  let notifier: NotifierHarness;

  beforeAll(async () => {
    await stand.start();
    stand.addMedia(ACCOUNT_A.appId, 'media-shared', photo);
    // Two ingest-wechat instances and a notifier, all on the same AppID and database.
    ingest = [await bootWechat(stand.baseUrl), await bootWechat(stand.baseUrl)];
    // Earlier test files used this AppID with other stand-ins: start as a new account, with no token stored.
    await ingest[0].db.query(`DELETE FROM wz_shared.access_tokens WHERE vendor = 'wechat' AND account = $1`, [ACCOUNT_A.appId]);
    notifier = await NotifierHarness.start({
      WECHAT_API_BASE: stand.baseUrl,
      WECHAT_APP_ID: ACCOUNT_A.appId,
      WECHAT_APP_SECRET: ACCOUNT_A.appSecret,
      DISPATCHER_ENABLED: 'false',
    });
  });

  afterAll(async () => {
    await notifier?.stop();
    for (const b of ingest) await b.app.close();
    await stand.stop();
  });

  const storedToken = async (): Promise<string> =>
    (await notifier.db.query(`SELECT token FROM wz_shared.access_tokens WHERE vendor = 'wechat' AND account = $1`, [ACCOUNT_A.appId]))[0]?.token;
  const downloads = (n: number) => ingest.flatMap((b) => Array.from({ length: n }, () => b.app.get(WechatApiClient).downloadMedia(ACCOUNT_A.appId, 'media-shared')));
  const notifierTokens = (n: number) => Array.from({ length: n }, () => notifier.app.get(WechatAccessTokens).get(credentials));

  it('fetches one token for many concurrent callers in both services, and each service uses it', async () => {
    const [files, tokens] = await Promise.all([Promise.all(downloads(5)), Promise.all(notifierTokens(5))]);
    expect(files.map((f) => f.bytes.equals(photo))).toEqual(Array(10).fill(true));
    expect(stand.tokenFetches.get(ACCOUNT_A.appId)).toBe(1);
    expect(new Set(tokens)).toEqual(new Set([await storedToken()]));
  });

  it('refreshes once when the token is refused (42001), for every instance, and the other service follows', async () => {
    const before = stand.tokenFetches.get(ACCOUNT_A.appId)!;
    const old = await storedToken();
    stand.expireToken(ACCOUNT_A.appId);
    const files = await Promise.all(downloads(4));
    expect(files).toHaveLength(8);
    expect(stand.tokenFetches.get(ACCOUNT_A.appId)).toBe(before + 1);
    const fresh = await storedToken();
    expect(fresh).not.toBe(old);
    // The notifier's in-process copy still holds the refused token; its send would get 42001 and drop exactly
    // that token, which the store no longer holds: it reads the new one instead of refreshing again.
    const tokens = notifier.app.get(WechatAccessTokens);
    await tokens.invalidate(ACCOUNT_A.appId, old);
    expect(await Promise.all(notifierTokens(3))).toEqual([fresh, fresh, fresh]);
    expect(stand.tokenFetches.get(ACCOUNT_A.appId)).toBe(before + 1);
  });
});
