// Browser: the code diff of a changed notebook on the approval page (issue 17), in Debian's Chromium against the
// sandbox running real releases (the function app of src/index.ts on the local host, the durable replay, the
// emulated Databricks, Azurite). Release 1 deploys the sample to Dev and QA; release 2 changes a notebook and
// adds a long one, and QA's approval page shows the change line by line: escaped, styled under the page's CSP,
// the long diff collapsed until clicked (no script), the page within a phone's width.
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import { loadBundle } from '../../src/sources/loadBundle';
import { stageBundle } from '../../src/sources/stageBundle';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';
import { waitForRelease } from '../sandbox/waitForRelease';
import { launchChromium, SKIP_BROWSER } from './launchChromium';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');
const INGEST = 'notebooks/etl/ingest.py';
const LONG = 'notebooks/etl/backfill.py';

/** The browser's getComputedStyle, run inside the page (the tests compile without the DOM's types). */
interface ComputedStyleOf {
  getComputedStyle(element: unknown): { backgroundColor: string };
}

interface Release {
  runtimeStatus: string;
  state: string;
  stages: { environment: string; state: string; approvalUrl?: string }[];
}

describe.skipIf(SKIP_BROWSER)('the code diff on the approval page in Chromium', () => {
  let world: LocalWorld;
  let app: SandboxApp;
  let browser: Browser;
  let storage: ReleaseStorage;
  const dirs: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    world = await LocalWorld.start({ environments: ['dev', 'qa'] });
    app = await SandboxApp.start(world);
    storage = new ReleaseStorage(BlobServiceClient.fromConnectionString(world.azurite.connectionString));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await world?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const qaWhen = (id: string, predicate: (r: Release) => boolean): Promise<Release> =>
    waitForRelease(app, id, predicate, `release ${id}`);
  const approvalUrlOf = (r: Release): string =>
    r.stages.find((s) => s.environment === 'qa')?.approvalUrl ?? '';
  const release = async (edit: (dir: string) => void): Promise<string> => {
    const dir = mkdtempSync(join(tmpdir(), 'bricklane-browser-diff-'));
    dirs.push(dir);
    cpSync(ARTIFACTS, dir, { recursive: true });
    edit(dir);
    const { bundleId } = await stageBundle(storage, dir);
    const started = await app.call('POST', 'releases', { bundleId });
    expect(started.status).toBe(202);
    return (started.json as { releaseId: string }).releaseId;
  };
  const qaWaiting = (r: Release): boolean =>
    r.stages.some((s) => s.environment === 'qa' && s.state === 'waiting');

  it('the code diff of a changed notebook on the approval page', async () => {
    const first = await release(() => undefined);
    const decided = await fetch(approvalUrlOf(await qaWhen(first, qaWaiting)), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
    });
    expect(decided.status).toBe(200);
    expect((await qaWhen(first, (r) => r.runtimeStatus === 'Completed')).state).toBe('succeeded');

    const before = readFileSync(join(ARTIFACTS, INGEST), 'utf8');
    const oldLine = before.split('\n').find((l) => l.startsWith('# MAGIC Loads')) ?? '';
    expect(oldLine).not.toBe('');
    const second = await release((dir) => {
      writeFileSync(
        join(dir, INGEST),
        before.replace(oldLine, '# MAGIC Loads the raw files of the day, <b>deduplicated</b> by id.') +
          '\n# COMMAND ----------\n\ndisplayHTML("<script>alert(1)</script>")\n',
      );
      const body = Array.from({ length: 120 }, (_, i) => `print("backfill step ${i}")`).join('\n');
      writeFileSync(join(dir, LONG), `# Databricks notebook source\n${body}\n`);
    });
    const url = approvalUrlOf(await qaWhen(second, qaWaiting));

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const opened = await page.goto(url);
    expect(opened?.status()).toBe(200);
    // The page's CSP stays strict: no script source at all, styles only from the page itself.
    const csp = opened?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src|unsafe-eval/);

    const section = page.locator('#code-diff');
    await expect(section.locator('h2').textContent()).resolves.toBe('Code changes');
    await expect(section.locator('p').first().textContent()).resolves.toMatch(
      /^2 files changed, \+\d+ −1 lines\./,
    );
    const bundle = (await loadBundle(dirs[1] ?? '')).bundle;
    const ingestKey = bundle?.notebooks.find((n) => n.source === INGEST)?.key ?? '';
    const longKey = bundle?.notebooks.find((n) => n.source === LONG)?.key ?? '';
    const ingest = section.locator(`details[data-key="${ingestKey}"]`);
    // A short diff shows open: the old line removed, the new lines added, as text.
    expect(await ingest.getAttribute('open')).toBe('');
    await expect(ingest.locator('.ln.del').allTextContents()).resolves.toEqual([`-${oldLine}`]);
    const added = await ingest.locator('.ln.add').allTextContents();
    expect(added).toContain('+# MAGIC Loads the raw files of the day, <b>deduplicated</b> by id.');
    expect(added).toContain('+displayHTML("<script>alert(1)</script>")');
    expect(await page.locator('script').count()).toBe(0);
    expect(await ingest.locator('b').count()).toBe(0);
    // Styled by the page's own stylesheet (allowed by the CSP): added and removed lines have backgrounds.
    const background = (selector: string): Promise<string> =>
      ingest
        .locator(selector)
        .first()
        .evaluate((el) => (globalThis as unknown as ComputedStyleOf).getComputedStyle(el).backgroundColor);
    await expect(background('.ln.add')).resolves.not.toBe('rgba(0, 0, 0, 0)');
    await expect(background('.ln.del')).resolves.not.toBe(await background('.ln.add'));

    // The long new notebook is collapsed; a click on its summary opens it (details, no script).
    const long = section.locator(`details[data-key="${longKey}"]`);
    expect(await long.getAttribute('open')).toBeNull();
    expect(await long.locator('pre.code-diff').isVisible()).toBe(false);
    await long.locator('summary').click();
    expect(await long.locator('pre.code-diff').isVisible()).toBe(true);
    await expect(long.locator('.ln.add').count()).resolves.toBe(121);
    await long.locator('summary').click();

    const screenshot = join(tmpdir(), `bricklane-approval-code-diff-${process.pid}.png`);
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    console.info(`approval page with its code diff: ${screenshot}`);

    // On a phone the page keeps its width: a long line scrolls inside its own block.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.goto(url);
    const [scrollWidth, innerWidth] = (await phone.evaluate(
      '[document.scrollingElement.scrollWidth, window.innerWidth]',
    )) as [number, number];
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await phone.close();
    await page.close();
  }, 150_000);
});
