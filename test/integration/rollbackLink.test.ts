// The manual rollback through the sandbox (BRICKLANE_QA_ROLLBACK left at manual, the default): the real function
// app on the local host stand-in, the durable replay, the emulated Databricks (token mode) and Azurite. Release 1
// passes Dev and QA; release 2 fails QA's check and stops there. Its status page offers a signed rollback link;
// GET shows what the rollback restores and changes nothing; forged, damaged, expired and approval links are
// refused, as are posts from elsewhere, other bodies and people the allow-list does not name. The POST starts one
// rollback release (a second POST starts nothing), which puts release 1's bundle back: QA's workspace then holds
// exactly release 1's objects, and the rollback's status and QA's notice say "rolled back". A failed release whose
// durable history was purged is read from its archived record. A link whose environment deployed again since, or
// whose known good changed, is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvalTokenMac,
  createApprovalToken,
  createRollbackToken,
  rollbackUrl,
} from '../../src/approvals/approvalToken';
import { BlobServiceClient } from '@azure/storage-blob';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import { purgeFinishedHistory } from '../../src/functions/purgeHistory';
import { rollbackReleaseId } from '../../src/release/rollbackInputFor';
import { clientFor, DAY_IN_MS } from '../orchestration/fixtures/releaseHarness';
import type { LocalWorld } from '../sandbox/LocalWorld';
import type { SandboxApp } from '../sandbox/SandboxApp';
import { CheckSandbox, followRelease, signedRollbackLink } from './releaseCheckBundle';

const FAILURE = 'AssertionError: the orders table is empty';

describe('a release whose QA check fails, with BRICKLANE_QA_ROLLBACK=manual', () => {
  let sandbox: CheckSandbox;
  let world: LocalWorld;
  let app: SandboxApp;
  let notices: string[];
  let keys: string[];
  const release = (body: string): ReturnType<CheckSandbox['release']> => sandbox.release(body);
  const page = async (url: string, init: RequestInit = {}): Promise<{ status: number; text: string }> => {
    const response = await fetch(url, { redirect: 'manual', ...init });
    return { status: response.status, text: await response.text() };
  };
  const confirm = (url: string, headers: Record<string, string> = {}, body = 'confirm=rollback') =>
    page(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
  const offeredLink = async (releaseId: string): Promise<string | undefined> => {
    const html = (await app.call('GET', `releases/${releaseId}?format=html`)).json as string;
    return /href="([^"]*\/api\/rollbacks\/[^"]+)"/.exec(html)?.[1];
  };
  const exists = async (releaseId: string): Promise<boolean> =>
    (await app.call('GET', `releases/${releaseId}`)).status === 200;

  let first: Awaited<ReturnType<typeof release>>;
  let second: Awaited<ReturnType<typeof release>>;
  let link: string;
  /** QA's objects after release 1 (runs apart). */
  let qaAfterFirst: Omit<ReturnType<LocalWorld['emulator']['snapshot']>, 'runs'>;

  beforeAll(async () => {
    sandbox = await CheckSandbox.start();
    ({ world, app, notices } = sandbox);
    keys = (process.env.BRICKLANE_APPROVAL_SIGNING_KEYS ?? '').split(',');
    first = await release('assert True');
    expect(first.view.state, JSON.stringify(first.view)).toBe('succeeded');
    const { runs: _runs, ...objects } = world.emulator.snapshot('qa');
    qaAfterFirst = objects;
    world.emulator.scriptRuns('qa', 'smoke_test', [
      { result: 'FAILED', message: FAILURE, pendingInMs: 0, durationInMs: 0 },
    ]);
    second = await release('assert 1 + 1 == 2');
    expect(second.view.state, JSON.stringify(second.view)).toBe('failed');
    link = (await offeredLink(second.id)) ?? '';
  });
  afterAll(() => sandbox?.stop());

  const rollbackId = (): string => rollbackReleaseId(second.id, 'qa');

  it("offers the rollback on the failed release's status page, and the link's page only shows it", async () => {
    expect(link).toMatch(new RegExp(`^${app.url}/api/rollbacks/[\\w-]+\\.[\\w-]+$`));
    expect(await offeredLink(first.id)).toBeUndefined();
    const before = world.emulator.snapshot('qa');
    for (let i = 0; i < 2; i++) {
      const shown = await page(link);
      expect(shown.status).toBe(200);
      expect(shown.text).toContain('Roll back QA?');
      expect(shown.text).toContain(first.bundleId);
      expect(shown.text).toContain(first.id);
      expect(shown.text).toContain(second.bundleId);
      expect(shown.text).toContain(`check smoke_test failed: ${FAILURE}`);
      expect(shown.text).toContain('<form method="post"');
    }
    // GET never decides: no rollback release, the workspace as the failed release left it.
    expect(await exists(rollbackId())).toBe(false);
    expect(world.emulator.snapshot('qa')).toEqual(before);
  });

  it("QA's failure notice carries a rollback link of its own, whose page shows the same rollback", async () => {
    const failedNotice = notices.find((n) => n.startsWith(`bricklane: qa failed for release ${second.id}`));
    const inNotice = / Roll back: (\S+\/api\/rollbacks\/[\w-]+\.[\w-]+) /.exec(failedNotice ?? '')?.[1];
    expect(inNotice, failedNotice).toBeDefined();
    const shown = await page(inNotice ?? '');
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('Roll back QA?');
    expect(shown.text).toContain(first.bundleId);
    // Release 1's own notices (it passed) carry none.
    expect(notices.filter((n) => n.includes(first.id)).some((n) => n.includes('Roll back:'))).toBe(false);
    expect(await exists(rollbackId())).toBe(false);
  });

  it('refuses forged, damaged, expired and approval links, on GET and POST alike', async () => {
    const token = link.slice(link.lastIndexOf('/') + 1);
    const [payload = ''] = token.split('.');
    const forged = `${payload}.${approvalTokenMac(payload, 'not the key').toString('base64url')}`;
    const expired = createRollbackToken(
      { releaseId: second.id, environment: 'qa', knownGood: first.bundleId, expiresAt: 1 },
      keys,
    );
    const approval = createApprovalToken(
      { releaseId: second.id, environment: 'qa', expiresAt: Math.floor(Date.now() / 1000) + 600 },
      keys,
    );
    for (const [bad, status] of [
      [forged, 403],
      [`${token}x`, 400],
      [expired, 410],
      [approval, 403],
    ] as const) {
      const url = rollbackUrl(app.url, bad);
      expect((await page(url)).status, bad).toBe(status);
      expect((await confirm(url)).status, bad).toBe(status);
    }
    expect((await page(rollbackUrl(app.url, expired))).text).toContain('This rollback link has expired');
    expect(await exists(rollbackId())).toBe(false);
  });

  it('refuses a post from another site, another body, and a confirmer the allow-list does not name', async () => {
    expect((await confirm(link, { origin: 'https://elsewhere.example' })).status).toBe(403);
    expect((await confirm(link, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await confirm(link, {}, 'confirm=yes')).status).toBe(400);
    expect((await confirm(link, {}, `confirm=rollback&x=${'y'.repeat(2000)}`)).status).toBe(413);
    process.env.BRICKLANE_QA_APPROVERS = 'release-manager@contoso.example';
    try {
      const refused = await confirm(link);
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('App Service Authentication is not enabled');
    } finally {
      delete process.env.BRICKLANE_QA_APPROVERS;
    }
    expect(await exists(rollbackId())).toBe(false);
  });

  it("still offers and shows the rollback once the failed release's durable history is purged", async () => {
    const storage = new ReleaseStorage(
      BlobServiceClient.fromConnectionString(world.azurite.connectionString),
    );
    const purge = await purgeFinishedHistory(
      clientFor(app.host),
      storage,
      1,
      new Date(Date.now() + 2 * DAY_IN_MS),
    );
    // Releases 1 and 2, archived as records: the page, the link and the POST below read release 2 from its record.
    expect(purge.archived).toBe(2);
    expect(await offeredLink(second.id)).toMatch(/\/api\/rollbacks\//);
    const shown = await page(link);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(second.bundleId);
  });

  it("starts one rollback, which puts release 1's objects back in QA; a second post starts nothing", async () => {
    // Release 2's notebook is in QA until the rollback.
    expect(world.emulator.snapshot('qa').notebooks).not.toEqual(qaAfterFirst.notebooks);
    const started = await confirm(link, { origin: app.url });
    expect(started.status, started.text).toBe(202);
    expect(started.text).toContain(`Release ${rollbackId()} puts bundle ${first.bundleId}`);
    const again = await confirm(link, { origin: app.url });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Already rolling back');

    const view = await followRelease(app, rollbackId());
    expect([view.runtimeStatus, view.state], JSON.stringify(view)).toEqual(['Completed', 'rolledBack']);
    expect(view.bundleId).toBe(first.bundleId);
    expect(view.stages.map((s) => [s.environment, s.state])).toEqual([['qa', 'rolledBack']]);
    expect(view.stages[0]?.message).toBe(
      `release ${second.id} failed in qa; rollback confirmed by anonymous (link holder); ` +
        `rolled back to bundle ${first.bundleId} of release ${first.id}`,
    );
    expect(view.stages[0]?.checks).toMatchObject([{ job: 'smoke_test', state: 'succeeded' }]);
    // Exactly release 1's objects again; QA ran the check three times: release 1's, 2's (failed), the rollback's.
    const { runs, ...qaNow } = world.emulator.snapshot('qa');
    expect(qaNow).toEqual(qaAfterFirst);
    expect(runs).toEqual({ smoke_test: { count: 3, results: ['SUCCESS', 'FAILED', 'SUCCESS'] } });
    expect(notices.at(-1)).toMatch(new RegExp(`^bricklane: qa rolled back for release ${rollbackId()} — `));
    // Done: the failed release offers it no more, and the link says where the rollback is.
    expect(await offeredLink(second.id)).toBeUndefined();
    expect((await page(link)).status).toBe(409);
    expect((await confirm(link, { origin: app.url })).status).toBe(409);
  });

  it('refuses a link once its environment has deployed since, or when its known good changed', async () => {
    world.emulator.scriptRuns('qa', 'smoke_test', [
      { result: 'FAILED', message: FAILURE, pendingInMs: 0, durationInMs: 0 },
    ]);
    const third = await release('assert 3 == 3');
    expect(third.view.state).toBe('failed');
    const stale = (await offeredLink(third.id)) ?? '';
    expect(stale).not.toBe('');
    const otherKnownGood = signedRollbackLink(app, [third.id, 'qa', third.bundleId]);
    const changed = await page(otherKnownGood);
    expect(changed.status).toBe(409);
    expect(changed.text).toContain(`The last known good bundle of QA is now ${first.bundleId}`);
    // A newer release deploys QA and passes: the old link would undo it.
    const fourth = await release('assert 4 == 4');
    expect(fourth.view.state).toBe('succeeded');
    const refused = await confirm(stale, { origin: app.url });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain(`release ${fourth.id} has deployed to qa since release ${third.id}`);
    expect(await exists(rollbackReleaseId(third.id, 'qa'))).toBe(false);
    expect(await offeredLink(third.id)).toBeUndefined();
  });
});
