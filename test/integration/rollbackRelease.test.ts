// Automatic rollback through the sandbox: the real function app on the local host stand-in, the durable replay,
// the emulated Databricks (token mode) and Azurite, with BRICKLANE_QA_ROLLBACK=auto. Release 1 deploys and
// passes its smoke check in Dev and QA; release 2 (the notebook changed) passes Dev's and fails QA's (a scripted
// run), so QA puts release 1's bundle back by itself: QA's workspace then holds exactly release 1's objects, and
// the status, the status page and QA's notice say "rolled back".
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerStore } from '../../src/azure/LedgerStore';
import type { LocalWorld } from '../sandbox/LocalWorld';
import type { SandboxApp } from '../sandbox/SandboxApp';
import { CheckSandbox } from './releaseCheckBundle';

const FAILURE = 'AssertionError: the orders table is empty';

describe('a release whose QA check fails, with BRICKLANE_QA_ROLLBACK=auto', () => {
  let sandbox: CheckSandbox;
  let world: LocalWorld;
  let app: SandboxApp;
  let notices: string[];

  beforeAll(async () => {
    sandbox = await CheckSandbox.start({ BRICKLANE_QA_ROLLBACK: 'auto' });
    ({ world, app, notices } = sandbox);
  });
  afterAll(() => sandbox?.stop());
  const release = (body: string, extraNotebook = false): ReturnType<CheckSandbox['release']> =>
    sandbox.release(body, extraNotebook);

  it("rolls QA back to release 1's bundle: the workspace holds release 1's objects again", async () => {
    const first = await release('assert True');
    expect(first.view.state, JSON.stringify(first.view)).toBe('succeeded');
    const { runs: _runs, ...qaAfterFirst } = world.emulator.snapshot('qa');

    world.emulator.scriptRuns('qa', 'smoke_test', [
      { result: 'FAILED', message: FAILURE, pendingInMs: 0, durationInMs: 0 },
      // The rollback's run of the check (release 1's bundle) passes.
      { result: 'SUCCESS', pendingInMs: 0, durationInMs: 0 },
    ]);
    const second = await release('assert 1 + 1 == 2');
    expect(second.bundleId).not.toBe(first.bundleId);
    const { view } = second;
    expect([view.runtimeStatus, view.state], JSON.stringify(view)).toEqual(['Completed', 'rolledBack']);
    expect(view.stages.map((s) => [s.environment, s.state])).toEqual([
      ['dev', 'succeeded'],
      ['qa', 'rolledBack'],
    ]);
    expect(view.stages[1]?.message).toBe(
      `check smoke_test failed: ${FAILURE}; rolled back to bundle ${first.bundleId} of release ${first.id}`,
    );
    // The rollback's own check ran on release 1's bundle and passed.
    expect(view.stages[1]?.checks).toMatchObject([{ job: 'smoke_test', state: 'succeeded' }]);

    // Exactly release 1's objects (the notebook's text included); three runs of the check: 1's, 2's, the rollback's.
    const { runs, ...qaNow } = world.emulator.snapshot('qa');
    expect(qaNow).toEqual(qaAfterFirst);
    // Dev keeps release 2: the same notebook path with release 2's text, which QA no longer has.
    expect(Object.keys(world.emulator.snapshot('dev').notebooks)).toEqual(Object.keys(qaNow.notebooks));
    expect(world.emulator.snapshot('dev').notebooks).not.toEqual(qaNow.notebooks);
    expect(runs).toEqual({ smoke_test: { count: 3, results: ['SUCCESS', 'FAILED', 'SUCCESS'] } });
    const ledger = new LedgerStore(BlobServiceClient.fromConnectionString(world.azurite.connectionString));
    expect(await ledger.lastKnownGood('qa')).toMatchObject({ bundleId: first.bundleId, releaseId: first.id });
    expect(await ledger.lastKnownGood('dev')).toMatchObject({ bundleId: second.bundleId });

    const page = (await app.call('GET', `releases/${second.id}?format=html`)).json as string;
    expect(page).toContain('Rolled back');
    expect(notices.at(-1)).toMatch(new RegExp(`^bricklane: qa rolled back for release ${second.id} — `));
  });

  it('lists the objects only the failed bundle had, which stay in place with prune off', async () => {
    const before = world.emulator.snapshot('qa');
    world.emulator.scriptRuns('qa', 'smoke_test', [
      { result: 'FAILED', message: FAILURE, pendingInMs: 0, durationInMs: 0 },
      { result: 'SUCCESS', pendingInMs: 0, durationInMs: 0 },
    ]);
    const { view } = await release('assert 2 + 2 == 4', true);
    expect([view.runtimeStatus, view.state], JSON.stringify(view)).toEqual(['Completed', 'rolledBack']);
    expect(view.stages[1]?.message).toMatch(/; left in place \(prune is off\): notebooks\.\S*extra$/);
    // Release 1's objects, and the new notebook beside them.
    const now = world.emulator.snapshot('qa');
    const added = Object.keys(now.notebooks).filter((path) => !(path in before.notebooks));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/extra$/);
    expect({ ...now.notebooks, [added[0] ?? '']: undefined }).toEqual({
      ...before.notebooks,
      [added[0] ?? '']: undefined,
    });
  });
});
