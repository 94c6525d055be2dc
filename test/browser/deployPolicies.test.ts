// Browser: deploy policies (issue 17) in Debian's Chromium against the sandbox running real releases (the
// function app of src/index.ts on the local host, the durable replay, the emulated Azure and Databricks,
// Azurite). The host runs on a clock the test pushes forward (FastForwardClock: durable timers and the
// orchestrations' time read it), so a change window three hours away opens without waiting three hours.
// - Dev has a change window: its stage holds, its page says when the window opens, and it deploys once the
//   sandbox clock reaches the opening.
// - QA has an external check (an HTTPS endpoint the test scripts): the approval page says it must pass; after
//   the approval it answers "fail" (the page shows its words), then "pass", and QA deploys.
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import type { ReleaseStatus, StageStatus } from '../../src/release/ReleaseStatus';
import { stageBundle } from '../../src/sources/stageBundle';
import { formatUtc } from '../../src/web/format';
import { ExternalCheckServer } from '../emulator/ExternalCheckServer';
import { FastForwardClock } from '../sandbox/host/FastForwardClock';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';
import { waitForRelease } from '../sandbox/waitForRelease';
import { launchChromium, SKIP_BROWSER } from './launchChromium';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');
const SCREENSHOTS = resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const HOUR = 3_600_000;
const KEY = 'gate-key-not-for-pages';
const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

type Release = ReleaseStatus & { runtimeStatus: string; stages: (StageStatus & { approvalUrl?: string })[] };

describe.skipIf(SKIP_BROWSER)('deploy policies in Chromium, on the sandbox clock', () => {
  const clock = new FastForwardClock();
  // Dev's window: one hour a day, opening three hours from now (UTC, whole minutes).
  const opensAt = Math.ceil((clock.now() + 3 * HOUR) / 60_000) * 60_000;
  const window = `daily ${hhmm(opensAt)}-${hhmm(opensAt + HOUR)} UTC`;
  let world: LocalWorld;
  let app: SandboxApp;
  let checks: ExternalCheckServer;
  let browser: Browser;
  let storage: ReleaseStorage;
  let checkName: string;

  beforeAll(async () => {
    browser = await launchChromium();
    checks = await ExternalCheckServer.start();
    checkName = `127.0.0.1:${new URL(checks.url('/')).port}/change`;
    world = await LocalWorld.start({ environments: ['dev', 'qa'] });
    app = await SandboxApp.start(world, {
      settings: {
        BRICKLANE_DEV_CHANGE_WINDOW: window,
        BRICKLANE_QA_EXTERNAL_CHECKS: checks.url('/change', `code=${KEY}`),
        BRICKLANE_QA_EXTERNAL_CHECKS_INTERVAL_MINUTES: '1',
      },
      host: { clock },
    });
    storage = new ReleaseStorage(BlobServiceClient.fromConnectionString(world.azurite.connectionString));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await world?.stop();
    await checks?.stop();
  });

  const start = async (environments: string[]): Promise<string> => {
    const { bundleId } = await stageBundle(storage, ARTIFACTS);
    const started = await app.call('POST', 'releases', { bundleId, environments });
    expect(started.status).toBe(202);
    return (started.json as { releaseId: string }).releaseId;
  };
  const stage = (r: Release, env: string): Release['stages'][number] | undefined =>
    r.stages.find((s) => s.environment === env);
  const when = (id: string, predicate: (r: Release) => boolean, what: string): Promise<Release> =>
    waitForRelease(app, id, predicate, what);
  const text = async (page: Page, selector: string): Promise<string> =>
    (await page.locator(selector).first().textContent()) ?? '';
  const stateIn = (page: Page, env: string): Promise<string | null> =>
    page.locator(`li.stage[data-environment="${env}"] .st`).getAttribute('data-state');
  const shoot = (page: Page, name: string): Promise<Buffer> =>
    page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true });

  it('a change window delaying a deploy (on the sandbox clock)', async () => {
    const id = await start(['dev']);
    const held = await when(id, (r) => stage(r, 'dev')?.state === 'holding', 'dev held by its window');
    expect(stage(held, 'dev')?.policies?.window).toEqual({
      text: window,
      open: false,
      opensAt: new Date(opensAt).toISOString(),
    });

    const page = await browser.newPage();
    await page.goto(app.statusLink(id));
    expect(await stateIn(page, 'dev')).toBe('holding');
    const box = await text(page, 'li.stage[data-environment="dev"]');
    expect(box).toContain('Held by a policy');
    expect(box).toContain(`window opens at ${formatUtc(new Date(opensAt))}`);
    const detail = await text(page, '#stage-dev');
    expect(detail).toContain(`Change window${window} · closed; opens at ${formatUtc(new Date(opensAt))}`);
    await shoot(page, 'policies-window-held');
    // Held before it plans: nothing was planned or applied while the window is closed.
    const still = await when(id, () => true, 'status');
    expect(stage(still, 'dev')?.plan).toBeUndefined();
    expect(stage(still, 'dev')?.phases).toBeUndefined();

    // The sandbox clock reaches the opening: the timer fires, and dev plans, applies and passes.
    clock.advance(opensAt - clock.now() + 1_000);
    const done = await when(id, (r) => r.runtimeStatus === 'Completed', 'the release to end');
    expect(done.state).toBe('succeeded');
    const dev = stage(done, 'dev');
    expect(Date.parse(dev?.phases?.apply?.startedAt ?? '')).toBeGreaterThanOrEqual(opensAt);
    expect(dev?.policies?.window).toEqual({
      text: window,
      open: true,
      closesAt: new Date(opensAt + HOUR).toISOString(),
    });
    await page.reload();
    expect(await stateIn(page, 'dev')).toBe('succeeded');
    expect(await text(page, '#stage-dev')).toContain(`open until ${formatUtc(new Date(opensAt + HOUR))}`);
    await shoot(page, 'policies-window-deployed');
    await page.close();
  }, 120_000);

  it('an external check failing and then passing', async () => {
    checks.script(
      '/change',
      { status: 'fail', message: 'CHG0042 is not approved yet <b>' },
      { status: 'pass', message: 'CHG0042 approved' },
    );
    const id = await start(['qa']);
    const waiting = await when(id, (r) => stage(r, 'qa')?.state === 'waiting', 'qa waiting for approval');

    // The approval page names the check that must pass once approved, never its URL's key.
    const page = await browser.newPage();
    await page.goto(stage(waiting, 'qa')?.approvalUrl ?? '');
    const policies = await text(page, '#policies');
    expect(policies).toContain('After approval');
    expect(policies).toContain(`External checks must pass before the apply: ${checkName}`);
    expect(await page.content()).not.toContain(KEY);
    await shoot(page, 'policies-check-approval');
    // Not asked before the approval: it describes the world when the deploy starts.
    expect(checks.requests('/change')).toEqual([]);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('h1', { hasText: /^Approved for / }).waitFor({ timeout: 15_000 });

    // Approved: the check answers fail; the stage holds and shows its words (escaped) and when it asks again.
    const failing = await when(
      id,
      (r) => stage(r, 'qa')?.policies?.externalChecks?.checks[0]?.state === 'failing',
      'the check to fail',
    );
    expect(stage(failing, 'qa')?.state).toBe('holding');
    await page.goto(app.statusLink(id));
    const box = await text(page, 'li.stage[data-environment="qa"]');
    expect(box).toContain(`check ${checkName} failing: CHG0042 is not approved yet <b>`);
    expect(await page.locator('li.stage[data-environment="qa"] b').count()).toBe(0);
    const detail = await text(page, '#stage-qa');
    expect(detail).toContain(`External check ${checkName}failing · asked 1×`);
    expect(detail).toContain('asked again');
    expect(await page.content()).not.toContain(KEY);
    await shoot(page, 'policies-check-failing');

    // A minute on the sandbox clock: asked again, it passes, and QA deploys and runs its smoke check.
    clock.advance(61_000);
    const done = await when(id, (r) => r.runtimeStatus === 'Completed', 'the release to end');
    expect(done.state).toBe('succeeded');
    expect(stage(done, 'qa')?.policies?.externalChecks?.checks).toEqual([
      expect.objectContaining({ name: checkName, state: 'passed', message: 'CHG0042 approved', attempts: 2 }),
    ]);
    await page.reload();
    expect(await stateIn(page, 'qa')).toBe('succeeded');
    expect(await text(page, '#stage-qa')).toContain(`External check ${checkName}passed · asked 2×`);
    await shoot(page, 'policies-check-passed');
    // What the check was sent: the release, the environment, the bundle and QA's plan counts; its key stayed
    // in its URL's query, where the endpoint read it.
    // Nor in the release's durable history (inputs, results, status) or its output.
    expect(JSON.stringify([app.host.durable.history(id), app.host.durable.status(id)])).not.toContain(KEY);
    const sent = checks.requests('/change');
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatchObject({
      query: `code=${KEY}`,
      body: { release: id, environment: 'qa', check: checkName, attempt: 1, plan: expect.any(Object) },
    });
    await page.close();
  }, 120_000);
});
