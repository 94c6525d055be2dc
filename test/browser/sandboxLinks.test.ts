// Browser: the person at the keyboard. Starts the interactive sandbox (`npm run sandbox`, no --approve all)
// as a child process in a fresh world and, in Chromium, follows ONLY the links it prints and the links on
// the pages: the printed status link, the status page's link to each waiting stage's approval page,
// Approve, the result page's link back to the release; then the final status page, its link to the release
// list and the list's link back, and the printed list link, while the sandbox is still up; then Ctrl-C.
//
// Needs Chromium at /usr/bin/chromium (BRICKLANE_CHROMIUM names another); skipped without it except under CI.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.BRICKLANE_CHROMIUM ?? '/usr/bin/chromium';
const SKIP = !existsSync(CHROMIUM) && !process.env.CI;
const ROOT = resolve(__dirname, '..', '..');

/** The sandbox's stdout, line by line, with a wait for the first line matching a pattern. */
class PrintedLines {
  private readonly lines: string[] = [];
  private text = '';
  private readonly waiters: (() => void)[] = [];

  constructor(child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('utf8');
      const parts = this.text.split('\n');
      this.text = parts.pop() ?? '';
      this.lines.push(...parts);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  get all(): string {
    return this.lines.join('\n');
  }

  /** The groups of the first printed line that matches (waiting for it), as strings. */
  async match(pattern: RegExp, timeoutInMs = 30_000): Promise<string[]> {
    const deadline = Date.now() + timeoutInMs;
    for (;;) {
      for (const line of this.lines) {
        const found = line.match(pattern);
        if (found) return found.slice(1).map((group) => group ?? '');
      }
      if (Date.now() > deadline) throw new Error(`no printed line matched ${pattern}:\n${this.all}`);
      await new Promise<void>((wake) => {
        this.waiters.push(wake);
        setTimeout(wake, 250);
      });
    }
  }
}

describe.skipIf(SKIP)('the interactive sandbox in Chromium', () => {
  let worldDir: string;
  let child: ChildProcess;
  let printed: PrintedLines;
  let stderr = '';
  let exited: Promise<number | null>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    worldDir = mkdtempSync(join(tmpdir(), 'bricklane-sandbox-links-'));
    // `npm run -s sandbox -- --world …` without npm and its wrapper: the same entry, signalled directly;
    // NODE_EXTRA_CA_CERTS (the emulator's CA) comes from the test runner's environment, as with-ca.mjs sets it.
    child = spawn(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(ROOT, 'test', 'sandbox', 'main.ts'),
        '--world',
        join(worldDir, 'world'),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    printed = new PrintedLines(child);
    child.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
    exited = new Promise((done) => child.on('exit', (code) => done(code)));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    page = await (await browser.newContext()).newPage();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await exited;
    }
    rmSync(worldDir, { recursive: true, force: true });
  }, 30_000);

  /** Reloads the page (as its own refresh would, sooner) until `ready` holds. */
  async function reloadUntil(
    ready: () => Promise<boolean>,
    what: string,
    timeoutInMs = 60_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutInMs;
    while (!(await ready())) {
      if (Date.now() > deadline)
        throw new Error(`${what}: not seen on ${page.url()}:\n${await page.textContent('body')}`);
      await new Promise((r) => setTimeout(r, 500));
      await page.reload();
    }
  }

  /** From the status page: the stage's approval link, Approve, then the result page's link back to the release. */
  async function approveFromStatusPage(environment: string): Promise<void> {
    const approvalLink = page
      .locator(`li.stage[data-environment="${environment}"]`)
      .getByRole('link', { name: 'Approve or reject' });
    await reloadUntil(async () => (await approvalLink.count()) > 0, `${environment}'s approval link`);
    await approvalLink.click();
    await page.waitForLoadState();
    expect(page.url()).toContain('/api/approvals/');
    await expect(page.textContent('body')).resolves.toMatch(new RegExp(environment, 'i'));
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForLoadState();
    await page.getByRole('link', { name: 'Release status' }).click();
    await page.waitForLoadState();
    expect(page.url()).toContain('/api/views/');
  }

  it("follows the printed status link and the pages' links: approvals, the final status, the list, until Ctrl-C", async () => {
    const [releaseId = '', statusLink = ''] = await printed.match(
      /^release (\S+) started \(status: (\S+)\)$/,
    );
    // A browser opens it: a signed view link, no function key in it.
    expect(statusLink).toMatch(/\/api\/views\/[\w-]+\.[\w-]+$/);
    expect(statusLink).not.toContain('code=');
    const first = await page.goto(statusLink);
    expect(first?.status()).toBe(200);
    await expect(page.textContent('body')).resolves.toContain(releaseId);

    await approveFromStatusPage('qa');
    await approveFromStatusPage('prod');

    // The final status, reached through the links: the decision page's link to the release, reloaded.
    await reloadUntil(
      async () => (await page.locator('h1 [data-state="succeeded"]').count()) > 0,
      'the release succeeded',
      45_000,
    );
    const [listLink = ''] = await printed.match(/^sandbox: release list: (\S+) \(/, 30_000);
    await printed.match(/still serving; press Ctrl-C to stop/);
    // Nothing printed and no page carries the function key.
    expect(printed.all).not.toMatch(/[?&]code=/);
    expect(await page.content()).not.toMatch(/[?&]code=/);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(child.exitCode).toBeNull();

    // The status page links to the list (a signed list link), and the list back to the release.
    await page.getByRole('link', { name: 'All releases' }).click();
    await page.waitForLoadState();
    expect(page.url()).toMatch(/\/api\/views\/[\w-]+\.[\w-]+$/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Releases');
    await expect(page.textContent('body')).resolves.toContain(releaseId);
    expect(await page.content()).not.toMatch(/[?&]code=/);
    await page.getByRole('link', { name: releaseId }).first().click();
    await page.waitForLoadState();
    await expect(page.textContent('body')).resolves.toMatch(/succeeded/i);
    // The printed list link opens the same list in a browser (no function key).
    expect(listLink).toMatch(/\/api\/views\/[\w-]+\.[\w-]+$/);
    expect((await page.goto(listLink))?.status()).toBe(200);
    await expect(page.textContent('body')).resolves.toContain(releaseId);
    expect(child.exitCode).toBeNull();

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 90_000);
});
