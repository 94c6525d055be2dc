// Browser: approval policies (issue 17) in Debian's Chromium against the sandbox running real releases (the
// function app of src/index.ts on the local host, the durable replay, the emulated Azure and Databricks,
// Azurite). Prod needs 2 of its 3 named approvers; whoever started a release may not approve it. Each person
// is a browser context whose requests carry the headers App Service Authentication sets for a user Entra ID
// signed in (the sandbox plays the platform, as WEBSITE_AUTH_ENABLED says it is on).
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import { stageBundle } from '../../src/sources/stageBundle';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';
import { waitForRelease } from '../sandbox/waitForRelease';
import { launchChromium, SKIP_BROWSER } from './launchChromium';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');
const SCREENSHOTS = resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const RELEASE_MANAGERS = '9d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';

interface Person {
  upn: string;
  objectId: string;
  groups?: string[];
}
const ALICE: Person = { upn: 'alice@contoso.com', objectId: '6f1d2c3b-0a9e-4c8d-9b7a-1e2f3a4b5c6d' };
const BOB: Person = { upn: 'bob@contoso.com', objectId: '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d' };
// Not on the list: a release manager by group membership.
const MONA: Person = {
  upn: 'mona@contoso.com',
  objectId: '0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e',
  groups: [RELEASE_MANAGERS],
};

/** The headers App Service Authentication sets for a user Microsoft Entra ID signed in (claims mapped). */
function signedIn(person: Person): Record<string, string> {
  const claims = [
    ['http://schemas.microsoft.com/identity/claims/objectidentifier', person.objectId],
    ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', person.upn],
    ['name', person.upn.split('@')[0] ?? ''],
    ...(person.groups ?? []).map((g) => ['groups', g]),
  ];
  const principal = { auth_typ: 'aad', claims: claims.map(([typ, val]) => ({ typ, val })) };
  return {
    'x-ms-client-principal-idp': 'aad',
    'x-ms-client-principal-id': person.objectId,
    'x-ms-client-principal-name': person.upn,
    'x-ms-client-principal': Buffer.from(JSON.stringify(principal)).toString('base64'),
  };
}

interface Release {
  runtimeStatus: string;
  state: string;
  stages: { environment: string; state: string; approvalUrl?: string }[];
}
const prodOf = (r: Release): Release['stages'][number] | undefined =>
  r.stages.find((s) => s.environment === 'prod');

describe.skipIf(SKIP_BROWSER)('approval policies in Chromium: quorum and no self-approval', () => {
  let world: LocalWorld;
  let app: SandboxApp;
  let browser: Browser;
  let bundleId: string;
  const people = new Map<Person, BrowserContext>();

  beforeAll(async () => {
    browser = await launchChromium();
    world = await LocalWorld.start({ environments: ['dev', 'prod'] });
    app = await SandboxApp.start(world, {
      settings: {
        WEBSITE_AUTH_ENABLED: 'True',
        BRICKLANE_PROD_APPROVERS: 'alice@contoso.com,bob@contoso.com,carol@contoso.com',
        BRICKLANE_PROD_APPROVER_GROUPS: RELEASE_MANAGERS,
        BRICKLANE_PROD_APPROVALS_REQUIRED: '2',
      },
    });
    const storage = new ReleaseStorage(
      BlobServiceClient.fromConnectionString(world.azurite.connectionString),
    );
    ({ bundleId } = await stageBundle(storage, ARTIFACTS));
    for (const person of [ALICE, BOB, MONA]) {
      people.set(person, await browser.newContext({ extraHTTPHeaders: signedIn(person) }));
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await world?.stop();
  });

  /** Starts a release of the sample as `by` (POST /api/releases, signed in), and waits for Prod's approval. */
  const startAs = async (by: Person | undefined, rerun: string): Promise<{ id: string; link: string }> => {
    const url = new URL(`${app.url}/api/releases`);
    url.searchParams.set('code', app.host.functionKey);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(by ? signedIn(by) : {}) },
      body: JSON.stringify({ bundleId, rerun }),
    });
    expect(response.status).toBe(202);
    const { releaseId: id } = (await response.json()) as { releaseId: string };
    const waiting = await waitForRelease<Release>(
      app,
      id,
      (r) => prodOf(r)?.state === 'waiting',
      'prod waiting',
    );
    return { id, link: prodOf(waiting)?.approvalUrl ?? '' };
  };
  const pageOf = (person: Person): Promise<Page> => {
    const context = people.get(person);
    if (!context) throw new Error(`no browser context for ${person.upn}`);
    return context.newPage();
  };
  const statusPage = (id: string): string =>
    `${app.url}/api/releases/${encodeURIComponent(id)}?code=${encodeURIComponent(app.host.functionKey)}`;
  const mainText = async (page: Page): Promise<string> => (await page.locator('main').textContent()) ?? '';
  const approveAs = async (person: Person, link: string, comment: string): Promise<Page> => {
    const page = await pageOf(person);
    expect((await page.goto(link))?.status()).toBe(200);
    await page.locator('#comment').fill(comment);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('h1', { hasText: /^Approved for Prod$/ }).waitFor({ timeout: 15_000 });
    return page;
  };

  it('reaches a 2-of-3 quorum: one approval leaves Prod waiting, the same approver again counts once, a second approver deploys', async () => {
    const { id, link } = await startAs(undefined, 'quorum');

    // Alice reads the policy on the page, then approves: 1 of 2.
    const alice = await pageOf(ALICE);
    await alice.goto(link);
    await expect(alice.locator('#policy [data-policy="quorum"]').textContent()).resolves.toContain(
      '2 different approvers must approve; one rejection is final. Now waiting for 2 of 2 approvals.',
    );
    await alice.screenshot({ path: join(SCREENSHOTS, 'approval-quorum-first.png'), fullPage: true });
    await alice.close();
    const first = await approveAs(ALICE, link, 'first of two');
    expect(await mainText(first)).toContain(
      'Yours is approval 1 of 2: Prod deploys once 1 more approver(s) agree.',
    );

    // The status page says what the stage waits for, and who approved so far.
    const progress = 'waiting for 1 of 2 approvals (approved by alice@contoso.com)';
    await expect
      .poll(
        async () => {
          await first.goto(statusPage(id));
          return first.locator('li.stage[data-environment="prod"]').textContent();
        },
        { timeout: 15_000 },
      )
      .toContain(progress);
    expect(await first.locator('li.stage[data-environment="prod"] .st').getAttribute('data-state')).toBe(
      'waiting',
    );
    await expect(first.locator('#stage-prod').textContent()).resolves.toContain(progress);
    await first.screenshot({ path: join(SCREENSHOTS, 'status-quorum-1-of-2.png'), fullPage: true });

    // Alice's link again: her vote is in; the page says so instead of a form, and nothing changes.
    const again = await first.goto(link);
    expect(again?.status()).toBe(409);
    expect(await mainText(first)).toContain('You already approved Prod');
    await first.close();

    // Bob sees the count on the page and completes the quorum.
    const bobPage = await pageOf(BOB);
    await bobPage.goto(link);
    await expect(bobPage.locator('#policy').textContent()).resolves.toContain(progress);
    await bobPage.close();
    const second = await approveAs(BOB, link, 'second of two');
    expect(await mainText(second)).toContain('Yours is approval 2 of 2: the release continues to Prod.');

    const done = await waitForRelease<Release>(app, id, (r) => r.runtimeStatus === 'Completed', 'completion');
    expect(done.state).toBe('succeeded');
    await second.goto(statusPage(id));
    await expect(second.locator('#stage-prod').textContent()).resolves.toContain(
      'Approved by alice@contoso.com, bob@contoso.com',
    );
    await second.screenshot({ path: join(SCREENSHOTS, 'status-quorum-reached.png'), fullPage: true });
    await second.close();
  }, 150_000);

  it('refuses a self-approval with the reason: the requester sees it on the page, and a forced POST records nothing', async () => {
    const { id, link } = await startAs(MONA, 'self');
    const page = await pageOf(MONA);
    expect((await page.goto(link))?.status()).toBe(200);
    // The policy names the requester; the form says why she cannot decide, and is disabled.
    await expect(page.locator('#policy [data-policy="noSelfApproval"]').textContent()).resolves.toBe(
      'No self-approval: mona@contoso.com, who requested this release, cannot approve it.',
    );
    await expect(mainText(page)).resolves.toContain('You requested this release; someone else must approve.');
    expect(await page.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'approval-self-refused.png'), fullPage: true });

    // The server decides, not the page: with the form forced open, the POST is refused with the same reason.
    await page.locator('form button, form textarea').evaluateAll((elements) => {
      for (const element of elements) element.removeAttribute('disabled');
    });
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('h1', { hasText: 'Not allowed' }).waitFor({ timeout: 15_000 });
    expect(await mainText(page)).toContain('You requested this release; someone else must approve.');
    await page.screenshot({ path: join(SCREENSHOTS, 'approval-self-refused-post.png'), fullPage: true });

    // Nothing was recorded: Prod still waits for both approvals, and the status page says so.
    await page.goto(statusPage(id));
    await expect(page.locator('li.stage[data-environment="prod"]').textContent()).resolves.toContain(
      'waiting for 2 of 2 approvals',
    );
    await expect(page.locator('li.stage[data-environment="prod"]').textContent()).resolves.toContain(
      'no self-approval',
    );
    const release = await waitForRelease<Release>(app, id, () => true, 'status');
    expect(prodOf(release)?.state).toBe('waiting');
    await page.close();
  }, 150_000);
});
