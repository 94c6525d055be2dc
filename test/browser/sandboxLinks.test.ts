// Browser: the person at the keyboard. Starts the interactive sandbox (`npm run sandbox`, no --approve all)
// as a child process in a fresh world and, in Chromium, follows ONLY the links it prints and the links on
// the pages: the printed status link, each printed approval link, the approval page's link to the release,
// Approve; then the final status page while the sandbox is still up; then Ctrl-C (SIGINT) stops it.
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

  /** Opens a printed approval link, follows the page's link to the release and back, and approves. */
  async function approve(environment: string): Promise<void> {
    const [link = ''] = await printed.match(new RegExp(`approve or reject ${environment} here: (\\S+)`));
    expect((await page.goto(link))?.status()).toBe(200);
    await page.getByRole('link', { name: 'Release status' }).click();
    await page.waitForLoadState();
    expect(page.url()).toContain('/api/views/');
    await expect(page.textContent('body')).resolves.toMatch(new RegExp(environment, 'i'));
    await page.goBack();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForLoadState();
  }

  it('follows the printed links to the final status page, with the sandbox still up, until Ctrl-C', async () => {
    const [releaseId = '', statusLink = ''] = await printed.match(
      /^release (\S+) started \(status: (\S+)\)$/,
    );
    // A browser opens it: a signed view link, no function key in it.
    expect(statusLink).toMatch(/\/api\/views\/[\w-]+\.[\w-]+$/);
    expect(statusLink).not.toContain('code=');
    const first = await page.goto(statusLink);
    expect(first?.status()).toBe(200);
    await expect(page.textContent('body')).resolves.toContain(releaseId);

    await approve('qa');
    await approve('prod');

    const [finalLink = ''] = await printed.match(/^sandbox: final status: (\S+)$/, 30_000);
    const [listUrl = ''] = await printed.match(/^sandbox: release list: (\S+) \(/);
    await printed.match(/still serving; press Ctrl-C to stop/);
    // Nothing printed carries the function key.
    expect(printed.all).not.toMatch(/[?&]code=/);
    // The sandbox stays up after the release ends: its final page opens, and so does the printed status link.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(child.exitCode).toBeNull();
    expect((await page.goto(finalLink))?.status()).toBe(200);
    await expect(page.textContent('body')).resolves.toMatch(/succeeded/i);
    expect((await page.goto(statusLink))?.status()).toBe(200);
    // The printed list URL carries no key: the list is for operators (function key), so a caller without it
    // is refused, as in Azure (a browser reaches it there through App Service Authentication).
    expect(listUrl).toMatch(/\/api\/releases$/);
    expect((await fetch(listUrl, { headers: { accept: 'text/html' } })).status).toBe(401);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 40_000);
});
