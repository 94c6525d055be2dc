// A release whose bundle names a smoke job as its check, through the sandbox: the real function app on the local
// host stand-in, the durable replay, the emulated Databricks (token mode, three workspaces) and Azurite. Dev's
// smoke run passes; QA's is scripted to fail: QA's stage fails with the run's error, Prod is never started,
// the ledger keeps Dev's bundle as its last known good and none for QA, and the status page shows both runs.
import { BlobServiceClient } from '@azure/storage-blob';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerStore } from '../../src/azure/LedgerStore';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import type { ReleaseStatus } from '../../src/release/ReleaseStatus';
import { stageBundle } from '../../src/sources/stageBundle';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';

const FAILURE = 'AssertionError: the orders table is empty';

/** A bundle of one notebook and one serverless job, the job named as a check. */
function writeBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bricklane-checks-'));
  mkdirSync(join(dir, 'notebooks'));
  mkdirSync(join(dir, 'jobs'));
  writeFileSync(join(dir, 'notebooks', 'smoke.py'), '# Databricks notebook source\nassert True\n');
  writeFileSync(
    join(dir, 'jobs', 'smoke_test.json'),
    JSON.stringify({
      name: 'smoke_test',
      environments: [{ environment_key: 'default', spec: { environment_version: '2' } }],
      tasks: [
        {
          task_key: 'smoke',
          environment_key: 'default',
          notebook_task: { notebook_path: 'notebooks/smoke' },
        },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'bricklane.json'),
    JSON.stringify({ checks: [{ job: 'smoke_test', timeoutMinutes: 5 }] }),
  );
  return dir;
}

describe('a release whose bundle names a smoke job as its check', () => {
  let world: LocalWorld;
  let app: SandboxApp;
  let dir: string;

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev', 'qa', 'prod'], auth: 'token' });
    app = await SandboxApp.start(world, {
      settings: {
        BRICKLANE_QA_APPROVAL_REQUIRED: 'false',
        BRICKLANE_PROD_APPROVAL_REQUIRED: 'false',
        BRICKLANE_CHECKS_POLL_SECONDS: '1',
      },
    });
    dir = writeBundle();
  });
  afterAll(async () => {
    await app?.stop();
    await world?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("passes Dev, fails QA with the run's error, and never starts Prod", async () => {
    world.emulator.scriptRuns('qa', 'smoke_test', [
      { result: 'FAILED', message: FAILURE, pendingInMs: 0, durationInMs: 0 },
    ]);
    const blobs = BlobServiceClient.fromConnectionString(world.azurite.connectionString);
    const { bundleId } = await stageBundle(new ReleaseStorage(blobs), dir);
    const started = await app.call('POST', 'releases', { bundleId });
    expect(started.status).toBe(202);
    const id = (started.json as { releaseId: string }).releaseId;
    const deadline = Date.now() + 60_000;
    let view = (await app.call('GET', `releases/${id}`)).json as ReleaseStatus & { runtimeStatus: string };
    while (view.runtimeStatus !== 'Completed' && view.runtimeStatus !== 'Failed' && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 100));
      view = (await app.call('GET', `releases/${id}`)).json as ReleaseStatus & { runtimeStatus: string };
    }

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

    const ledger = new LedgerStore(blobs);
    expect(await ledger.lastKnownGood('dev')).toMatchObject({ bundleId, releaseId: id });
    expect(await ledger.lastKnownGood('qa')).toBeUndefined();

    const page = (await app.call('GET', `releases/${id}?format=html`)).json as string;
    expect(page).toContain('Check smoke_test');
    expect(page).toContain('<span class="check check-succeeded">passed</span>');
    expect(page).toContain(`<a href="${dev?.checks?.[0]?.url ?? ''}" rel="noopener noreferrer">`);
    expect(page).toContain(`<span class="check check-failed">failed</span>`);
    expect(page).toContain(FAILURE);
  });
});
