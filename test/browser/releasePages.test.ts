// Browser: Debian's Chromium (driven by playwright-core) against the sandbox running REAL releases: the
// function app of src/index.ts on the local host, the durable replay, the emulated Azure and Databricks,
// Azurite. A person's path: open the approval link, read the plan, click Approve or Reject, watch the
// status page follow the release, and check the pages on a phone-sized screen.
//
// Needs Chromium (launchChromium.ts): skipped without it, except under CI.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { SandboxApp } from '../sandbox/SandboxApp';
import { LocalWorld, SAMPLE_PERMISSIONS } from '../sandbox/LocalWorld';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import { loadBundle } from '../../src/sources/loadBundle';
import { stageBundle } from '../../src/sources/stageBundle';
import { launchChromium, SKIP_BROWSER } from './launchChromium';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');
const SCREENSHOTS = resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const PHONE = { width: 390, height: 844 };
const EVIL_COMMENT = 'not today <script>alert(1)</script>';

interface Stage {
  environment: string;
  state: string;
  approvalUrl?: string;
  plan?: Record<string, { create: number; update: number; delete: number; unchanged: number; drift: number }>;
}
interface Release {
  runtimeStatus: string;
  state: string;
  stages: Stage[];
}

describe.skipIf(SKIP_BROWSER)('release pages in Chromium', () => {
  let world: LocalWorld;
  let app: SandboxApp;
  let browser: Browser;
  let desktop: BrowserContext;
  let phone: BrowserContext;
  let storage: ReleaseStorage;
  const temps: string[] = [];
  const released: string[] = [];

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev', 'qa', 'prod'] });
    // First: it imports src/index.ts, which registers the functions (see test/sandbox/host/loadFunctionApp.ts).
    app = await SandboxApp.start(world, {
      // The operator's allow-lists (src/config/readBoundaries.ts): the safety test's job runs as this user
      // and grants these permissions (and the sample's own grants), so its bundle is valid and reaches the
      // approval page.
      settings: {
        BRICKLANE_RUN_AS: 'etl-runner@contoso.com',
        BRICKLANE_PERMISSIONS: `${SAMPLE_PERMISSIONS},user:alice@contoso.com=CAN_MANAGE,group:data-eng=CAN_VIEW`,
      },
    });
    storage = new ReleaseStorage(BlobServiceClient.fromConnectionString(world.azurite.connectionString));
    browser = await launchChromium();
    desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    phone = await browser.newContext({
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await world?.stop();
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  });

  const statusPageUrl = (releaseId: string): string =>
    `${app.url}/api/releases/${encodeURIComponent(releaseId)}?code=${encodeURIComponent(app.host.functionKey)}`;
  const status = async (releaseId: string): Promise<Release> =>
    (await app.call('GET', `releases/${releaseId}`)).json as Release;
  const stageOf = (r: Release, env: string): Stage => {
    const found = r.stages.find((s) => s.environment === env);
    if (!found) throw new Error(`no stage ${env} in ${JSON.stringify(r)}`);
    return found;
  };
  const waitFor = async (
    releaseId: string,
    predicate: (r: Release) => boolean,
    what: string,
  ): Promise<Release> => {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const r = await status(releaseId);
      if (predicate(r)) return r;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(r)}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  };
  const start = async (bundleDir: string): Promise<string> => {
    const { bundleId } = await stageBundle(storage, bundleDir);
    const started = await app.call('POST', 'releases', { bundleId });
    expect(started.status).toBe(202);
    const releaseId = (started.json as { releaseId: string }).releaseId;
    released.push(releaseId);
    return releaseId;
  };
  /** No link on the page, and nothing in its HTML, carries the function key. */
  const expectNoKeyInLinks = async (page: Page): Promise<void> => {
    const hrefs = await page
      .locator('a[href]')
      .evaluateAll((links) => links.map((a) => (a as unknown as { href: string }).href));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) {
      expect(href).not.toContain('code=');
      expect(decodeURIComponent(href)).not.toContain(app.host.functionKey);
    }
    expect(await page.content()).not.toContain(app.host.functionKey);
  };
  const shoot = async (page: Page, name: string): Promise<void> => {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  const stateIn = (page: Page, env: string): Promise<string | null> =>
    page.locator(`li.stage[data-environment="${env}"] .st`).getAttribute('data-state');
  /** The page's own reload interval (its meta refresh), in seconds as written. */
  const refreshIn = (page: Page): Promise<string | null> =>
    page.locator('meta[http-equiv="refresh"]').getAttribute('content');
  const releaseState = (page: Page): Promise<string | null> =>
    page.locator('h1 .st').getAttribute('data-state');
  const totalOf = (stage: Stage, action: 'create' | 'update' | 'delete'): number =>
    // The status leaves out zero counts (compactStatus.ts).
    Object.values(stage.plan ?? {}).reduce((sum, counts) => sum + (counts[action] ?? 0), 0);

  /** Reads the plan on the approval page, then decides through its form, as a person would. */
  const decideInBrowser = async (
    page: Page,
    url: string,
    stage: Stage,
    decision: 'Approve' | 'Reject',
    comment: string,
    shot: string,
  ): Promise<void> => {
    const opened = await page.goto(url);
    expect(opened?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toContain(
      `Deploy to ${stage.environment === 'qa' ? 'QA' : 'Prod'}?`,
    );
    const create = totalOf(stage, 'create');
    const update = totalOf(stage, 'update');
    const remove = totalOf(stage, 'delete');
    await expect(page.locator('main').textContent()).resolves.toContain(
      `${create} to create, ${update} to update, ${remove} to delete`,
    );
    // Where the stage deploys and who may decide stand above the plan (issue 12).
    await expect(page.locator('#where').textContent()).resolves.toContain('Workspace');
    await expect(page.locator('#who').textContent()).resolves.toContain('Who may decide');
    await shoot(page, shot);
    await page.locator('#comment').fill(comment);
    await page.getByRole('button', { name: decision }).click();
    // The form posts back to the link; the answer is a page that says what was recorded.
    await page
      .locator('h1', { hasText: decision === 'Approve' ? /^Approved for / : /^Rejected for / })
      .waitFor({ timeout: 15_000 });
    // The decision page reads as a page (no HTTP status line) and leads on to the release.
    await expect(page.locator('main').textContent()).resolves.not.toMatch(/HTTP \d{3}/);
    await expect(page.getByRole('link', { name: 'Release status' }).getAttribute('href')).resolves.toContain(
      '/api/views/',
    );
    await shoot(page, `${shot}-decided`);
  };

  it('approves QA from the approval page, and the status page follows QA to succeeded', async () => {
    const releaseId = await start(ARTIFACTS);
    const waiting = await waitFor(releaseId, (r) => stageOf(r, 'qa').state === 'waiting', 'qa waiting');
    const qa = stageOf(waiting, 'qa');
    const approvalUrl = qa.approvalUrl ?? '';
    expect(approvalUrl).toContain('/api/approvals/');

    const page = await desktop.newPage();
    // The status page while QA waits: Dev done, QA with its link, Prod pending; it refreshes itself, once a
    // minute while a person decides.
    const opened = await page.goto(statusPageUrl(releaseId));
    expect(opened?.status()).toBe(200);
    expect(opened?.headers()['content-type']).toContain('text/html');
    expect(await stateIn(page, 'dev')).toBe('succeeded');
    expect(await stateIn(page, 'qa')).toBe('waiting');
    expect(await stateIn(page, 'prod')).toBe('pending');
    expect(await page.locator('li.stage[data-environment="qa"] a.action').getAttribute('href')).toBe(
      approvalUrl,
    );
    expect(await refreshIn(page)).toBe('60');
    await page.locator('#stage-qa details[data-kind="notebooks"] summary').click();
    const loaded = await loadBundle(ARTIFACTS);
    const notebook = loaded.bundle?.notebooks[0]?.target ?? '';
    await expect(page.locator('#stage-qa details[data-kind="notebooks"]').textContent()).resolves.toContain(
      notebook,
    );
    await shoot(page, 'status-qa-waiting');
    // The key the operator typed stays in that one URL: no link on the page carries it.
    await expectNoKeyInLinks(page);

    // The approval page links to the status page with a signed view link (no function key); that page
    // links the waiting stage to its approval page (the link the notification already sent; deciding
    // still checks the allow-list), and never to the function-key routes.
    await page.goto(approvalUrl);
    await Promise.all([
      page.waitForURL(/\/api\/views\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/),
      page.getByRole('link', { name: 'Release status' }).click(),
    ]);
    expect(await stateIn(page, 'qa')).toBe('waiting');
    const actions = await page
      .locator('a.action')
      .evaluateAll((links) => links.map((a) => (a as { href: string }).href));
    expect(actions.length).toBeGreaterThan(0);
    for (const href of actions) expect(new URL(href).pathname).toBe(new URL(approvalUrl).pathname);
    await expectNoKeyInLinks(page);

    // The approval page (opening it decides nothing), its plan, then Approve.
    await decideInBrowser(page, approvalUrl, qa, 'Approve', 'ship it from Chromium', 'approval-qa');
    expect(totalOf(qa, 'create')).toBeGreaterThan(0);
    await expect(page.locator('main').textContent()).resolves.toContain('ship it from Chromium');

    // The status page follows QA: approved/deploying (the emulator is quick), checking (the sample's smoke job
    // runs after the apply) and then succeeded.
    await page.goto(statusPageUrl(releaseId));
    const seen: string[] = [];
    const deadline = Date.now() + 45_000;
    for (;;) {
      const state = (await stateIn(page, 'qa')) ?? '';
      if (seen.at(-1) !== state) seen.push(state);
      // While QA works the page reloads every few seconds (read from the page, not waited for).
      if (state === 'approved' || state === 'deploying') expect(await refreshIn(page)).toBe('5');
      if (state === 'succeeded' || Date.now() > deadline) break;
      await page.waitForTimeout(200);
      await page.reload();
    }
    const order = ['approved', 'deploying', 'checking', 'succeeded'];
    expect(seen.at(-1), `QA states seen: ${seen.join(' -> ')}`).toBe('succeeded');
    expect(seen.every((s) => order.includes(s))).toBe(true);
    expect(seen.map((s) => order.indexOf(s))).toEqual([...seen.map((s) => order.indexOf(s))].sort());
    await expect(page.locator('li.stage[data-environment="qa"]').textContent()).resolves.toContain(
      'approved by anonymous (link holder)',
    );
    await expect(page.locator('#stage-qa').textContent()).resolves.toContain('ship it from Chromium');

    // Prod waits now and the release still runs: the page reloads itself (meta refresh, no script) once a
    // minute; the test reads that interval from the page and reloads it itself rather than waiting a minute.
    await waitFor(releaseId, (r) => stageOf(r, 'prod').state === 'waiting', 'prod waiting');
    await page.reload();
    expect(await stateIn(page, 'prod')).toBe('waiting');
    expect(await refreshIn(page)).toBe('60');
    await shoot(page, 'status-prod-waiting');

    // Prod's approval page on a phone, then Approve there; the release ends succeeded.
    const prodStage = stageOf(await status(releaseId), 'prod');
    const mobile = await phone.newPage();
    await decideInBrowser(
      mobile,
      prodStage.approvalUrl ?? '',
      prodStage,
      'Approve',
      'go',
      'phone-approval-prod',
    );
    await waitFor(releaseId, (r) => r.runtimeStatus === 'Completed', 'completion');
    await page.goto(statusPageUrl(releaseId));
    expect(await releaseState(page)).toBe('succeeded');
    for (const env of ['dev', 'qa', 'prod']) expect(await stateIn(page, env)).toBe('succeeded');
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    await shoot(page, 'status-succeeded');
    await mobile.close();
    await page.close();
  }, 150_000);

  it('rejects QA of a second release; the status page shows the rejection, approver and comment', async () => {
    // A second bundle: the sample with one notebook changed, so the bundle id (and the release) differ.
    const dir = mkdtempSync(join(tmpdir(), 'bricklane-browser-'));
    temps.push(dir);
    cpSync(ARTIFACTS, dir, { recursive: true });
    const changed = join(dir, 'notebooks', 'etl');
    const loaded = await loadBundle(ARTIFACTS);
    const notebook = loaded.bundle?.notebooks.find((n) => n.source.startsWith('notebooks/etl/'));
    if (!notebook) throw new Error(`artifacts/ has no notebook under ${changed}`);
    const file = join(dir, notebook.source);
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n# changed for the browser test\n`);

    const releaseId = await start(dir);
    expect(releaseId).not.toBe(released[0]);
    const waiting = await waitFor(releaseId, (r) => stageOf(r, 'qa').state === 'waiting', 'qa waiting');
    const qa = stageOf(waiting, 'qa');
    expect(totalOf(qa, 'update')).toBe(1);

    const page = await desktop.newPage();
    await page.goto(qa.approvalUrl ?? '');
    // The approval page names the one notebook that changes.
    await expect(page.locator('ul.steps').first().textContent()).resolves.toContain(notebook.target);
    await decideInBrowser(page, qa.approvalUrl ?? '', qa, 'Reject', EVIL_COMMENT, 'approval-qa-reject');

    const done = await waitFor(releaseId, (r) => r.runtimeStatus === 'Completed', 'completion');
    expect(done.state).toBe('rejected');
    await page.goto(statusPageUrl(releaseId));
    expect(await releaseState(page)).toBe('rejected');
    expect(await stateIn(page, 'dev')).toBe('succeeded');
    expect(await stateIn(page, 'qa')).toBe('rejected');
    expect(await stateIn(page, 'prod')).toBe('skipped');
    const box = (await page.locator('li.stage[data-environment="qa"]').textContent()) ?? '';
    expect(box).toContain('by anonymous (link holder)');
    // The comment arrives as text: shown literally, never run.
    expect(box).toContain(EVIL_COMMENT);
    await expect(page.locator('#stage-qa').textContent()).resolves.toContain(
      'Rejected by anonymous (link holder)',
    );
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    await shoot(page, 'status-rejected');
    await page.close();
  }, 150_000);

  it('lists the releases; its links open each status page with a view link, never the function key', async () => {
    const page = await desktop.newPage();
    const opened = await page.goto(
      `${app.url}/api/releases?code=${encodeURIComponent(app.host.functionKey)}`,
    );
    expect(opened?.status()).toBe(200);
    for (const id of released) {
      await expect(page.locator(`li.release[data-release="${id}"] .st`).first().isVisible()).resolves.toBe(
        true,
      );
    }
    await expect(
      page.locator(`li.release[data-release="${released[1]}"] .head .st`).getAttribute('data-state'),
    ).resolves.toBe('rejected');
    await shoot(page, 'release-list');
    await expectNoKeyInLinks(page);
    await Promise.all([
      page.waitForURL(/\/api\/views\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/),
      page.locator(`a:has-text("${released[0]}")`).click(),
    ]);
    expect(await releaseState(page)).toBe('succeeded');
    await expectNoKeyInLinks(page);
    // Its JSON link is the same view link.
    const jsonHref = (await page.getByRole('link', { name: 'JSON' }).getAttribute('href')) ?? '';
    expect(jsonHref).toBe(`${page.url()}?format=json`);
    const viewed = await fetch(jsonHref);
    expect(viewed.status).toBe(200);
    expect(((await viewed.json()) as { releaseId: string }).releaseId).toBe(released[0]);
    // A view link opens only its own release, and a changed one opens nothing.
    const forged = await fetch(`${page.url().slice(0, -2)}xx`);
    expect(forged.status).toBeGreaterThanOrEqual(400);
    await Promise.all([page.waitForURL(/\/api\/releases\?code=/), page.goBack()]);
    expect(await page.locator('li.release').count()).toBe(released.length);
    // Scripts and SDKs keep getting JSON from the same routes.
    const json = await fetch(`${app.url}/api/releases?code=${encodeURIComponent(app.host.functionKey)}`);
    expect(json.headers.get('content-type')).toContain('application/json');
    expect(((await json.json()) as { releases: unknown[] }).releases).toHaveLength(released.length);
    await page.close();
  }, 60_000);

  it('fits a phone screen (390 x 844) without horizontal scrolling', async () => {
    const pages: Array<[string, string]> = [
      ['phone-status-succeeded', statusPageUrl(released[0] ?? '')],
      ['phone-status-rejected', statusPageUrl(released[1] ?? '')],
      ['phone-release-list', `${app.url}/api/releases?code=${encodeURIComponent(app.host.functionKey)}`],
    ];
    const page = await phone.newPage();
    for (const [name, url] of pages) {
      await page.goto(url);
      // Open every plan, so long names are part of the layout that is measured.
      for (const summary of await page.locator('details summary').all()) await summary.click();
      const [scrollWidth, innerWidth] = (await page.evaluate(
        '[document.scrollingElement.scrollWidth, window.innerWidth]',
      )) as [number, number];
      expect(innerWidth, name).toBe(PHONE.width);
      expect(scrollWidth, `${name}: content is ${scrollWidth}px wide`).toBeLessThanOrEqual(innerWidth);
      await shoot(page, name);
    }
    await page.close();
  }, 60_000);

  it('shows the safety review above the plan: run_as, permissions, a resized cluster and its field diff', async () => {
    // QA holds the sample (the first test deployed it). This copy resizes Small and adds a job that runs as
    // a service account and grants permissions: what an approver must see before the list.
    const dir = mkdtempSync(join(tmpdir(), 'bricklane-browser-safety-'));
    temps.push(dir);
    cpSync(ARTIFACTS, dir, { recursive: true });
    const small = join(dir, 'clusters', 'small.json');
    const spec = JSON.parse(readFileSync(small, 'utf8')) as Record<string, unknown>;
    expect(spec).toMatchObject({ num_workers: 1, node_type_id: 'Standard_DS3_v2' });
    writeFileSync(small, JSON.stringify({ ...spec, num_workers: 3, node_type_id: 'Standard_DS4_v2' }));
    writeFileSync(
      join(dir, 'jobs', 'audited-job.json'),
      JSON.stringify({
        name: 'audited_job',
        run_as: { user_name: 'etl-runner@contoso.com' },
        access_control_list: [
          { user_name: 'alice@contoso.com', permission_level: 'CAN_MANAGE' },
          { group_name: 'data-eng', permission_level: 'CAN_VIEW' },
        ],
        tasks: [
          {
            task_key: 'main',
            existing_cluster_name: 'Small',
            notebook_task: { notebook_path: 'etl/ingest' },
          },
        ],
      }),
    );
    const releaseId = await start(dir);
    const waiting = await waitFor(releaseId, (r) => stageOf(r, 'qa').state === 'waiting', 'qa waiting');
    const qa = stageOf(waiting, 'qa');

    const page = await desktop.newPage();
    expect((await page.goto(qa.approvalUrl ?? ''))?.status()).toBe(200);
    const safety = page.locator('section.safety');
    const text = (await safety.textContent()) ?? '';
    expect(text).toContain('Safety review');
    expect(await safety.locator('ul[data-topic="runAs"] li').textContent()).toMatch(
      /createaudited_jobjobs: not set → user etl-runner@contoso\.com/,
    );
    const permissions = await safety.locator('ul[data-topic="permissions"] ul.diff li').allTextContents();
    expect(permissions).toEqual([
      'group data-eng: none → CAN_VIEW',
      'user alice@contoso.com: none → CAN_MANAGE',
    ]);
    const sizes = await safety.locator('ul[data-topic="clusterSize"] > li').allTextContents();
    expect(sizes).toContain('updateSmallclusters node_type_id: "Standard_DS3_v2" → "Standard_DS4_v2"');
    expect(sizes).toContain('updateSmallclusters num_workers: 1 → 3');
    // Above the list, and the list shows the cluster's fields old -> new.
    const safetyBox = await safety.boundingBox();
    const listBox = await page.locator('h2', { hasText: 'What will change' }).boundingBox();
    expect(safetyBox && listBox && safetyBox.y + safetyBox.height <= listBox.y).toBe(true);
    const smallStep = page.locator('ul.steps > li', { has: page.locator('code', { hasText: /^Small$/ }) });
    expect(await smallStep.locator('ul.diff li').allTextContents()).toEqual([
      'node_type_id "Standard_DS3_v2" → "Standard_DS4_v2"',
      'num_workers 1 → 3',
    ]);
    expect(await page.locator('script').count()).toBe(0);
    const screenshot = join(tmpdir(), `bricklane-approval-safety-${process.pid}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    console.info(`approval page with its safety review: ${screenshot}`);

    // On a phone the review fits the screen too.
    const mobile = await phone.newPage();
    await mobile.goto(qa.approvalUrl ?? '');
    const [scrollWidth, innerWidth] = (await mobile.evaluate(
      '[document.scrollingElement.scrollWidth, window.innerWidth]',
    )) as [number, number];
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await shoot(mobile, 'phone-approval-safety');
    await mobile.close();
    await decideInBrowser(
      page,
      qa.approvalUrl ?? '',
      qa,
      'Reject',
      'not with that run_as',
      'approval-safety',
    );
    await page.close();
  }, 150_000);
});
