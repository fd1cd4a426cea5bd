import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pw, { type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { startWebServer, type WebServer } from '../../apps/web/server/serve.mjs';
import { startIngestApp, type IngestAppHarness } from '../ingest-app/support/ingest-app-harness.js';
import { phonePhoto } from '../ingest-app/support/media-samples.js';
import { startRouter, type RouterHarness } from '../router/router-support.js';
import { testKafka, waitFor } from '../support/helpers.js';

/**
 * The web front end in a real browser: Debian's chromium driven by playwright-core (never a downloaded
 * browser). An inquiry submitted through the app API appears in the operator's live queue; the operator assigns
 * it with the pinyin unit picker after looking at the citizen's photos and location, publishes one photo, hides the
 * other and masks a name the automatic mask missed; the unit clerk replies with an uploaded photo; the portal shows
 * the case with the reply, only the approved photo, the masked text and without the citizen's phone number. Screenshots of every screen go to test/web/artifacts/ (gitignored).
 */

const CHROMIUM = '/usr/bin/chromium';
const ROOT = process.cwd();
const ARTIFACTS = join(ROOT, 'test/web/artifacts');

/** Installs chromium where we can (root + apt-get); otherwise says loudly why these tests are skipped. */
function chromiumProblem(): string | null {
  if (existsSync(CHROMIUM)) return null;
  if (process.getuid?.() === 0 && spawnSync('which', ['apt-get']).status === 0) {
    process.stderr.write(`[web e2e] ${CHROMIUM} is missing: apt-get install -y chromium fonts-wqy-zenhei (a CJK font for readable screenshots)\n`);
    spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei'], {
      stdio: 'inherit',
      timeout: 15 * 60_000,
    });
    if (existsSync(CHROMIUM)) return null;
    return `apt-get install chromium did not provide ${CHROMIUM}`;
  }
  return `${CHROMIUM} is missing and cannot be installed here (needs root and apt-get): run \`apt-get install -y chromium\``;
}

const problem = chromiumProblem();
if (problem) {
  const bar = '!'.repeat(100);
  process.stderr.write(`\n${bar}\n!! SKIPPING the web end-to-end browser tests: ${problem}\n${bar}\n\n`);
}
const describeInBrowser = problem ? describe.skip : describe;

describeInBrowser('web: staff console and public portal in chromium', () => {
  let router: RouterHarness;
  let ingest: IngestAppHarness;
  let web: WebServer;
  let browser: BrowserContext;
  let profile: string;
  let uploads: string;
  let routerDb: DataSource;
  let routerUrl: string;
  let appUrl: string;
  const phone = `139${String(Date.now()).slice(-8)}`;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const built = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '-c', 'apps/web/vite.config.mjs', '--logLevel', 'warn'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (built.status !== 0) throw new Error(`vite build failed:\n${built.stdout}${built.stderr}`);

    // One object store for both services, as `npm run up` has it (var/media): the desk reads the citizen's photos.
    ingest = await startIngestApp();
    await ingest.app.listen(0, '127.0.0.1');
    appUrl = await ingest.app.getUrl();
    uploads = mkdtempSync(join(tmpdir(), 'wz-router-uploads-'));
    router = await startRouter({ ROUTER_CLOCK_SCAN_MS: '60000', ROUTER_MEDIA_DIR: ingest.mediaDir, ROUTER_UPLOAD_TMP_DIR: uploads });
    router.app.useLogger(['error']);
    await router.app.listen(0, '127.0.0.1');
    routerUrl = await router.app.getUrl();
    routerDb = router.app.get(DataSource);
    web = await startWebServer({ routerUrl: routerUrl.replace('[::1]', '127.0.0.1'), appUrl: appUrl.replace('[::1]', '127.0.0.1'), port: 0 });

    profile = mkdtempSync(join(tmpdir(), 'wz-chromium-'));
    // A fresh profile folder per run (Playwright's persistent context is how it takes --user-data-dir).
    browser = await pw.chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await router?.close();
    await ingest?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (uploads) rmSync(uploads, { recursive: true, force: true });
  });

  async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
    // Each page is its own tab, so its own sessionStorage: one signed-in person per page.
    const page = await browser.newPage();
    await page.setViewportSize(viewport);
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  /** Whether the router has a route (Nest answers "Cannot GET /x" for a route it does not know). */
  async function routeExists(method: 'get' | 'post', path: string, token?: string): Promise<boolean> {
    const req = request(routerUrl)[method](path);
    if (token) req.set('Authorization', `Bearer ${token}`);
    const res = await req.send(method === 'post' ? {} : undefined);
    return !(res.status === 404 && /^Cannot /.test(String(res.body?.message ?? '')));
  }

  /** Signs in through the login screen: with a staff account when the router has /auth/login, else with a token. */
  async function signIn(page: Page, role: 'desk' | 'unit', username: string, unitId?: string): Promise<void> {
    await page.goto(`${web.url}/console/`);
    if (await routeExists('post', '/auth/login')) {
      const admin = router.token('admin', 'admin-1');
      const created = await request(routerUrl)
        .post('/admin/staff')
        .set('Authorization', `Bearer ${admin}`)
        .send({ username, password: 'correct-horse-42', role, ...(unitId ? { unitId } : {}) });
      expect([201, 409]).toContain(created.status);
      await page.getByLabel('用户名').fill(username);
      await page.getByLabel('密码').fill('correct-horse-42');
    } else {
      process.stderr.write('[web e2e] the router has no POST /auth/login yet: signing in with a token\n');
      await page.getByRole('button', { name: '使用令牌登录' }).click();
      await page.getByLabel('访问令牌（JWT）').fill(router.token(role, username, unitId));
    }
    await shot(page, `01-login-${role}`);
    await page.getByRole('button', { name: '登录', exact: true }).click();
  }

  /** The desk feed reads case.events.v1 from the latest offset: wait until its consumer group has joined. */
  async function deskFeedJoined(): Promise<void> {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await waitFor(async () => {
        const { groups } = await admin.listGroups();
        const ids = groups.map((g) => g.groupId).filter((g) => g.startsWith('router.desk-feed.'));
        if (!ids.length) return undefined;
        const described = await admin.describeGroups(ids);
        return described.groups.some((g) => g.state === 'Stable') || undefined;
      }, 'the desk feed consumer group to be stable');
    } finally {
      await admin.disconnect();
    }
  }

  it('carries an inquiry from the app API through the live queue, the unit clerk and onto the portal', async () => {
    try {
      await scenario();
    } catch (err) {
      // What each open page showed when it failed, next to the step screenshots.
      for (const [i, page] of browser.pages().entries()) await shot(page, `failure-page-${i}`).catch(() => undefined);
      throw err;
    }
  });

  async function scenario(): Promise<void> {
    // 1. The operator watches the queue.
    const desk = await newPage();
    await signIn(desk, 'desk', `operator-${Date.now()}`);
    await desk.getByRole('heading', { name: /待分派队列/ }).waitFor();
    await desk.getByText('● 实时更新中').waitFor();
    await deskFeedJoined();

    // 2. A citizen submits through the app API with two photos and their position (their phone number and a
    //    neighbour's name also appear in the text).
    const account = await request(appUrl).post('/accounts/register').send({ phone, password: 'citizen-password-1' }).expect(201);
    const submitted = await request(appUrl)
      .post('/inquiries')
      .set('Authorization', `Bearer ${account.body.accessToken}`)
      .field('title', '反映一个拖了很久的问题')
      .field('content', `这个事情拖了很久了，邻居赵志强也反映过，希望领导重视一下，尽快解决。我的电话 ${phone}，请回电。`)
      .field('anonymous', 'true')
      .field('latitude', '38.2851')
      .field('longitude', '109.7349')
      .field('address', '榆林市某小区东门')
      .attach('photos', await phonePhoto(900, 700, 21), { filename: 'a.jpg', contentType: 'image/jpeg' })
      .attach('photos', await phonePhoto(900, 700, 22), { filename: 'b.jpg', contentType: 'image/jpeg' })
      .expect(201);
    const inquiryId: string = submitted.body.inquiryId;
    const [{ attachments: photos }] = await ingest.db.query('SELECT attachments FROM ingest_app.inquiries WHERE inquiry_id = $1', [inquiryId]);
    expect(photos).toHaveLength(2);

    // 3. It appears in the queue without a reload, with its 2-hour clock.
    const row = desk.locator(`tr[data-inquiry="${inquiryId}"]`);
    await row.waitFor({ timeout: 60_000 }).catch(async (err: Error) => {
      await shot(desk, '02-desk-queue-missing');
      const rows = await routerDb.query(`SELECT status, unit_name FROM router.cases WHERE inquiry_id = $1`, [inquiryId]);
      throw new Error(`${err.message}\nrouter case: ${JSON.stringify(rows)}`);
    });
    await expect(row.locator('.clock').textContent()).resolves.toMatch(/剩余 (2:00:00|[01]:\d\d:\d\d)/);
    await shot(desk, '02-desk-queue-live');

    // 4. The operator opens it and assigns it, finding the unit by its pinyin initials.
    await row.getByRole('link').click();
    await desk.getByRole('heading', { name: '反映一个拖了很久的问题' }).waitFor();
    // The citizen's photos (fetched with the operator's token) and where the citizen was.
    await desk.getByRole('img', { name: '市民照片 1' }).waitFor();
    await desk.getByRole('img', { name: '市民照片 2' }).waitFor();
    expect(await desk.getByRole('img', { name: '市民照片 1' }).evaluate((img) => Number(Reflect.get(img, 'naturalWidth')))).toBeGreaterThan(0);
    const place = await desk.getByTestId('desk-location').textContent();
    expect(place).toContain('纬度 38.28510，经度 109.73490');
    expect(place).toContain('榆林市某小区东门');
    await shot(desk, '03-desk-case');

    // Photo review: the first goes public, the second stays private; a name the regexes missed is masked.
    await desk.getByRole('group', { name: /照片 1/ }).getByLabel('公开', { exact: true }).check();
    await desk.getByRole('group', { name: /照片 2/ }).getByLabel('不公开', { exact: true }).check();
    await desk.getByRole('button', { name: '保存照片审核' }).click();
    await desk.getByText('照片审核已保存').waitFor();
    await desk.getByRole('group', { name: '照片 1（已公开）' }).waitFor();
    expect(await desk.getByLabel(/公开正文/).inputValue()).not.toContain(phone);
    const phrase = desk.getByLabel('要遮盖的词语（姓名、车牌等）');
    await phrase.fill('赵志强');
    await phrase.press('Enter');
    expect(await desk.getByLabel(/公开正文/).inputValue()).toContain('邻居***也反映过');
    await desk.getByLabel('脱敏说明（必填，记录在案）').fill('他人姓名');
    await desk.getByRole('button', { name: '保存公开文本' }).click();
    await desk.getByText('公开文本已保存').waitFor();
    await desk.getByText('公开文本脱敏（已人工脱敏）').waitFor();
    await shot(desk, '03b-desk-photos-and-masking');
    await desk.getByRole('combobox', { name: '承办单位' }).fill('gjj');
    const option = desk.getByRole('option').first();
    await expect(option.textContent()).resolves.toContain('市公积金中心');
    await shot(desk, '04-desk-unit-picker-gjj');
    await desk.getByRole('combobox', { name: '承办单位' }).press('Enter');
    await desk.getByLabel('理由（必填，记录在案）').fill('公积金提取属公积金中心职责');
    await desk.getByRole('button', { name: '交办', exact: true }).click();
    await desk.getByText('已交办给 市公积金中心').waitFor();
    await shot(desk, '05-desk-assigned');
    const [assigned] = await routerDb.query(`SELECT status, unit_id AS "unitId", unit_name AS "unitName" FROM router.cases WHERE inquiry_id = $1`, [inquiryId]);
    expect(assigned).toMatchObject({ status: 'assigned', unitName: '市公积金中心' });
    await desk.goto(`${web.url}/console/#/moderation`);
    await shot(desk, '06-desk-moderation');
    await desk.getByRole('link', { name: '待决事项' }).click();
    await desk.getByRole('heading', { name: '待决事项' }).waitFor();
    await shot(desk, '06b-desk-decisions');

    // 5. The unit clerk replies (docs/agency-api.md).
    const unitToken = router.token('unit', 'clerk-probe', assigned.unitId);
    if (!(await routeExists('get', '/agency/cases', unitToken))) {
      process.stderr.write('\n!! [web e2e] the router has no agency API (GET /agency/cases) yet: the scenario stops after the assignment\n\n');
      return;
    }
    const clerk = await newPage();
    await signIn(clerk, 'unit', `clerk-${Date.now()}`, assigned.unitId);
    const clerkRow = clerk.locator(`tr[data-inquiry="${inquiryId}"]`);
    await clerkRow.waitFor();
    await shot(clerk, '07-clerk-list');
    await clerkRow.getByRole('link').click();
    await clerk.getByRole('button', { name: '签收' }).click();
    await clerk.getByText('已签收').waitFor();
    const reply = '经核实，您的公积金提取申请材料已补齐，已于今日办结，款项三个工作日内到账。如有疑问请致电公积金中心服务窗口。';
    await clerk.getByLabel('答复内容').fill(reply);
    // A real upload through the file picker (POST /agency/media, the media pipeline), then the reply.
    await clerk.getByLabel(/附件（照片或视频/).setInputFiles({ name: '办结回执.jpg', mimeType: 'image/jpeg', buffer: await phonePhoto(800, 600, 40) });
    await clerk.getByText('已上传 1 个附件').waitFor();
    await clerk.getByRole('list', { name: '已上传的附件' }).getByText('办结回执.jpg').waitFor();
    await shot(clerk, '08-clerk-upload');
    await clerk.getByRole('button', { name: '提交答复' }).click();
    await clerk.getByText('已答复，答复将公开并告知市民').waitFor();
    await clerk.getByText('附件 1 个：照片').waitFor();
    await shot(clerk, '08b-clerk-replied');
    const [stored] = await routerDb.query(`SELECT attachments FROM router.case_replies WHERE inquiry_id = $1`, [inquiryId]);
    expect(stored.attachments).toEqual([expect.objectContaining({ kind: 'photo', contentType: 'image/jpeg', objectKey: expect.stringMatching(/^photos\//) })]);

    // 6. The portal (on a phone-sized screen) shows the case with the reply and without the phone number.
    await waitFor(async () => {
      const res = await request(appUrl).get(`/portal/cases/${inquiryId}`);
      return res.status === 200 || undefined;
    }, 'the case on the portal');
    const portal = await newPage({ width: 390, height: 844 });
    await portal.goto(`${web.url}/`);
    await portal.getByRole('link', { name: '反映一个拖了很久的问题' }).first().waitFor();
    await shot(portal, '09-portal-home');
    await portal.getByRole('link', { name: '反映一个拖了很久的问题' }).first().click();
    await portal.getByTestId('case-reply').waitFor();
    expect(await portal.getByTestId('case-reply').textContent()).toContain('款项三个工作日内到账');
    // Only the approved photo, and the text as the desk masked it.
    const shown = portal.getByRole('img', { name: /诉求照片/ });
    await shown.first().waitFor();
    expect(await shown.count()).toBe(1);
    expect(await shown.getAttribute('src')).toContain(photos[0].thumbnailKey);
    await waitFor(async () => (await shown.evaluate((img) => Number(Reflect.get(img, 'naturalWidth')))) > 0 || undefined, 'the approved photo loaded');
    expect(await portal.getByTestId('case-content').textContent()).toContain('邻居***也反映过');
    const html = await portal.content();
    expect(html).not.toContain(phone);
    expect(html).not.toContain('赵志强');
    expect(html).not.toContain(photos[1].objectKey.split('/').pop().replace('.jpg', ''));
    expect(html).toContain('反映一个拖了很久的问题');
    await shot(portal, '10-portal-case');
    await portal.getByRole('link', { name: '单位排行' }).click();
    await portal.getByRole('heading', { name: '承办单位排行' }).waitFor();
    await portal.getByRole('rowheader', { name: '市公积金中心' }).waitFor();
    await shot(portal, '11-portal-scoreboard');

    // 7. The supervisor's figures.
    if (await routeExists('get', '/supervision/stats', router.token('supervisor'))) {
      const sup = await newPage();
      await sup.goto(`${web.url}/console/`);
      await sup.getByRole('button', { name: '使用令牌登录' }).click();
      await sup.getByLabel('访问令牌（JWT）').fill(router.token('supervisor', 'supervisor-1'));
      await sup.getByRole('button', { name: '登录', exact: true }).click();
      await sup.getByRole('heading', { name: '督办统计' }).waitFor();
      await sup.getByText('超期未办').waitFor();
      await shot(sup, '12-supervisor');
    }
  }
});
