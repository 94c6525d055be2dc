// Test infrastructure: Debian's Chromium for the browser tests, through playwright-core. Needs Chromium at
// /usr/bin/chromium (`apt-get install -y chromium`; BRICKLANE_CHROMIUM names another binary). Without it a
// suite is skipped with a message, except under CI (`CI` set), where it fails: a CI run must not go green
// without its browser tests.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.BRICKLANE_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** Skip the suite: no Chromium here, and not under CI. */
export const SKIP_BROWSER = !HAVE_CHROMIUM && !process.env.CI;
if (SKIP_BROWSER) {
  console.warn(
    `browser tests skipped: no Chromium at ${CHROMIUM}. Install it with \`apt-get install -y chromium\` ` +
      '(or set BRICKLANE_CHROMIUM to a Chromium binary). Under CI (CI set) they fail instead.',
  );
}

/** Headless Chromium, quiet (no background network, sync or updates); throws under CI when there is none. */
export async function launchChromium(): Promise<Browser> {
  if (!HAVE_CHROMIUM) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: CI must install it (apt-get install -y chromium) before npm test`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
