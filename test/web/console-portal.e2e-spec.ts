import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pw, { type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { startWebServer, type WebServer } from '../../apps/web/server/serve.mjs';
import { startIngestApp, type IngestAppHarness } from '../ingest-app/support/ingest-app-harness.js';
import { startRouter, type RouterHarness } from '../router/router-support.js';
import { testKafka, waitFor } from '../support/helpers.js';

/**
 * The web front end in a real browser: Debian's chromium driven by playwright-core (never a downloaded
 * browser). An inquiry submitted through the app API appears in the operator's live queue; the operator assigns
 * it with the pinyin unit picker; the unit clerk replies; the portal shows the case with the reply and without
 * the citizen's phone number. Screenshots of every screen go to test/web/artifacts/ (gitignored).
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

    router = await startRouter({ ROUTER_CLOCK_SCAN_MS: '60000' });
    router.app.useLogger(['error']);
    await router.app.listen(0, '127.0.0.1');
    routerUrl = await router.app.getUrl();
    routerDb = router.app.get(DataSource);
    ingest = await startIngestApp();
    await ingest.app.listen(0, '127.0.0.1');
    appUrl = await ingest.app.getUrl();
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
    await ingest?.close();
    await router?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
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

    // 2. A citizen submits through the app API (their phone number also appears in the text).
    const account = await request(appUrl).post('/accounts/register').send({ phone, password: 'citizen-password-1' }).expect(201);
    const submitted = await request(appUrl)
      .post('/inquiries')
      .set('Authorization', `Bearer ${account.body.accessToken}`)
      .send({
        title: '反映一个拖了很久的问题',
        content: `这个事情拖了很久了，希望领导重视一下，尽快解决。我的电话 ${phone}，请回电。`,
        anonymous: true,
      })
      .expect(201);
    const inquiryId: string = submitted.body.inquiryId;

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
    await shot(desk, '03-desk-case');
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
    await clerk.getByRole('button', { name: '提交答复' }).click();
    await clerk.getByText('已答复，答复将公开并告知市民').waitFor();
    await shot(clerk, '08-clerk-replied');

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
    const html = await portal.content();
    expect(html).not.toContain(phone);
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
