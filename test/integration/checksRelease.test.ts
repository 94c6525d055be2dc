// A release whose bundle names a smoke job as its check, through the sandbox: the real function app on the local
// host stand-in, the durable replay, the emulated Databricks (token mode, three workspaces) and Azurite. Dev's
// smoke run passes; QA's is scripted to fail: QA's stage fails with the run's error, Prod is never started,
// the ledger keeps Dev's bundle as its last known good and none for QA, and the status page shows both runs.
// Killed during a check, the host that takes over reads the run the killed one started and ends the same.
import { BlobServiceClient } from '@azure/storage-blob';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerStore } from '../../src/azure/LedgerStore';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import type { ReleaseStatus } from '../../src/release/ReleaseStatus';
import { stageBundle } from '../../src/sources/stageBundle';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';
import { writeCheckBundle } from './checkBundle';

const FAILURE = 'AssertionError: the orders table is empty';
/** No approvals (the test is about checks), and a first look at the runs after 1 s. */
const SETTINGS = {
  BRICKLANE_QA_APPROVAL_REQUIRED: 'false',
  BRICKLANE_PROD_APPROVAL_REQUIRED: 'false',
  BRICKLANE_CHECKS_POLL_SECONDS: '1',
};

describe('a release whose bundle names a smoke job as its check', () => {
  let world: LocalWorld;
  let app: SandboxApp;
  let dir: string;

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev', 'qa', 'prod'], auth: 'token' });
    app = await SandboxApp.start(world, { settings: SETTINGS });
    dir = writeCheckBundle({ smoke: 'assert True' });
  });
  afterAll(async () => {
    await app?.stop();
    await world?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  type View = ReleaseStatus & { runtimeStatus: string };
  const runs: string[] = [];
  /** Starts a release of the bundle (a labelled re-run after the first: the same bundle is the same release). */
  async function start(): Promise<{ id: string; bundleId: string }> {
    const blobs = BlobServiceClient.fromConnectionString(world.azurite.connectionString);
    const { bundleId } = await stageBundle(new ReleaseStorage(blobs), dir);
    const label = runs.length === 0 ? {} : { rerun: `run-${runs.length + 1}` };
    const started = await app.call('POST', 'releases', { bundleId, ...label });
    expect(started.status).toBe(202);
    const id = (started.json as { releaseId: string }).releaseId;
    runs.push(id);
    return { id, bundleId };
  }
  async function until(id: string, done: (view: View) => boolean): Promise<View> {
    const deadline = Date.now() + 60_000;
    let view = (await app.call('GET', `releases/${id}`)).json as View;
    while (!done(view) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      view = (await app.call('GET', `releases/${id}`)).json as View;
    }
    return view;
  }
  const ended = (view: View): boolean =>
    view.runtimeStatus === 'Completed' || view.runtimeStatus === 'Failed';
  async function release(): Promise<{ id: string; bundleId: string; view: View }> {
    const { id, bundleId } = await start();
    return { id, bundleId, view: await until(id, ended) };
  }

  it("passes Dev, fails QA with the run's error, and never starts Prod", async () => {
    world.emulator.scriptRuns('qa', 'smoke_test', [
      { result: 'FAILED', message: FAILURE, pendingInMs: 0, durationInMs: 0 },
    ]);
    const { id, bundleId, view } = await release();
    expect([view.runtimeStatus, view.state], JSON.stringify(view)).toEqual(['Completed', 'failed']);
    expect(view.stages.map((s) => [s.environment, s.state])).toEqual([
      ['dev', 'succeeded'],
      ['qa', 'failed'],
      ['prod', 'skipped'],
    ]);
    const [dev, qa] = view.stages;
    expect(dev?.checks).toMatchObject([{ job: 'smoke_test', state: 'succeeded' }]);
    expect(dev?.checks?.[0]?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/\?o=0#job\/\d+\/run\/\d+$/);
    expect(qa?.checks).toMatchObject([{ job: 'smoke_test', state: 'failed', message: FAILURE }]);
    expect(qa?.message).toBe(`check smoke_test failed: ${FAILURE}`);
    // Each workspace ran the job once; Prod was never applied to.
    expect(world.emulator.workspace('dev').runs.records()).toHaveLength(1);
    expect(world.emulator.workspace('qa').runs.records()).toHaveLength(1);
    expect(world.emulator.snapshot('prod').jobs).toEqual([]);
    expect(world.emulator.workspace('prod').runs.records()).toEqual([]);

    const ledger = new LedgerStore(BlobServiceClient.fromConnectionString(world.azurite.connectionString));
    expect(await ledger.lastKnownGood('dev')).toMatchObject({ bundleId, releaseId: id });
    expect(await ledger.lastKnownGood('qa')).toBeUndefined();

    const page = (await app.call('GET', `releases/${id}?format=html`)).json as string;
    expect(page).toContain('Check smoke_test');
    expect(page).toContain('<span class="check check-succeeded">passed</span>');
    expect(page).toContain(`<a href="${dev?.checks?.[0]?.url ?? ''}" rel="noopener noreferrer">`);
    expect(page).toContain(`<span class="check check-failed">failed</span>`);
    expect(page).toContain(FAILURE);
  });

  it('ends the same when the host is killed during a check and a new one takes over', async () => {
    const before = { dev: world.emulator.snapshot('dev'), qa: world.emulator.snapshot('qa') };
    const devRuns = world.emulator.workspace('dev').runs.records().length;
    // Dev's run takes a minute of the emulator's clock: the host is killed while it runs.
    world.emulator.scriptRuns('dev', 'smoke_test', [{ result: 'SUCCESS', durationInMs: 60_000 }]);
    world.emulator.scriptRuns('qa', 'smoke_test', [
      { result: 'FAILED', message: FAILURE, pendingInMs: 0, durationInMs: 0 },
    ]);
    const { id, bundleId } = await start();
    await until(id, (v) => v.stages.find((s) => s.environment === 'dev')?.checks?.[0]?.state === 'running');
    await app.stop();
    world.emulator.clock.advance(61_000);
    app = await SandboxApp.start(world, { settings: SETTINGS });
    const view = await until(id, ended);

    expect([view.runtimeStatus, view.state], JSON.stringify(view)).toEqual(['Completed', 'failed']);
    expect(view.stages.map((s) => [s.environment, s.state, s.message])).toEqual([
      ['dev', 'succeeded', undefined],
      ['qa', 'failed', `check smoke_test failed: ${FAILURE}`],
      ['prod', 'skipped', undefined],
    ]);
    // One run of Dev's check for this release: the new host read the run the killed one started.
    expect(world.emulator.workspace('dev').runs.records()).toHaveLength(devRuns + 1);
    // The same objects as before; one more run of the check in each, ended as the first release's did.
    expect(world.emulator.snapshot('dev')).toEqual({
      ...before.dev,
      runs: { smoke_test: { count: 2, results: ['SUCCESS', 'SUCCESS'] } },
    });
    expect(world.emulator.snapshot('qa')).toEqual({
      ...before.qa,
      runs: { smoke_test: { count: 2, results: ['FAILED', 'FAILED'] } },
    });
    expect(world.emulator.snapshot('prod').jobs).toEqual([]);
    const ledger = new LedgerStore(BlobServiceClient.fromConnectionString(world.azurite.connectionString));
    expect(await ledger.lastKnownGood('dev')).toMatchObject({ bundleId, releaseId: id });
    expect(await ledger.lastKnownGood('qa')).toBeUndefined();
  });
});
