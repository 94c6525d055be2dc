// A release still works when its durable history has been purged, through the sandbox: the real function app
// on the local host stand-in, the durable replay, the emulated Databricks (token mode) and Azurite, with smoke
// checks and BRICKLANE_QA_ROLLBACK=auto. Release A deploys Dev and QA and passes its checks; then its history
// is purged (purgeHistory archives its status first). Its status JSON and page still answer, from the release
// record, and the audit trail still lists it. Release B fails QA's check and QA rolls back to A's bundle by
// itself: the ledger's last known good and the content-addressed staged bundle are all a rollback needs.
// The release list (JSON, page, list view link) keeps purged releases, marked archived, newest first among
// the live ones, with ?top= honoured, and a release archived but not yet purged listed once, from its history.
import { BlobServiceClient } from '@azure/storage-blob';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import { writeReleaseRecord } from '../../src/azure/releaseRecord';
import { RECORD_INDEX_PREFIX, recordIndexEntryOf } from '../../src/azure/releaseRecordIndex';
import { purgeFinishedHistory } from '../../src/functions/purgeHistory';
import type { AuditEvent } from '../../src/release/AuditEvent';
import type { ReleaseStatus } from '../../src/release/ReleaseStatus';
import { stageBundle } from '../../src/sources/stageBundle';
import { clientFor, DAY_IN_MS } from '../orchestration/fixtures/releaseHarness';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';
import { writeCheckBundle } from './checkBundle';

const FAILURE = 'AssertionError: the orders table is empty';

describe('a release whose durable history was purged', () => {
  let world: LocalWorld;
  let app: SandboxApp;
  let storage: ReleaseStorage;
  const dirs: string[] = [];

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev', 'qa'], auth: 'token' });
    app = await SandboxApp.start(world, {
      settings: {
        BRICKLANE_QA_APPROVAL_REQUIRED: 'false',
        BRICKLANE_CHECKS_POLL_SECONDS: '1',
        BRICKLANE_QA_ROLLBACK: 'auto',
      },
    });
    storage = new ReleaseStorage(BlobServiceClient.fromConnectionString(world.azurite.connectionString));
  });
  afterAll(async () => {
    await app?.stop();
    await world?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  type View = ReleaseStatus & { runtimeStatus: string };
  const viewOf = async (id: string): Promise<View> => (await app.call('GET', `releases/${id}`)).json as View;
  async function start(body: string): Promise<{ id: string; bundleId: string }> {
    const dir = writeCheckBundle({ smoke: body });
    dirs.push(dir);
    const { bundleId } = await stageBundle(storage, dir);
    const started = await app.call('POST', 'releases', { bundleId });
    expect(started.status).toBe(202);
    return { id: (started.json as { releaseId: string }).releaseId, bundleId };
  }
  async function until(id: string, done: (v: View) => boolean): Promise<View> {
    const deadline = Date.now() + 60_000;
    let view = await viewOf(id);
    while (!done(view) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      view = await viewOf(id);
    }
    return view;
  }
  const ended = (v: View): boolean => ['Completed', 'Failed'].includes(v.runtimeStatus);
  const auditOf = async (env: string, releaseId: string): Promise<AuditEvent[]> => {
    const response = await fetch(
      `${app.url}/api/audit?environment=${env}&code=${encodeURIComponent(app.host.functionKey)}`,
    );
    return (await response.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEvent)
      .filter((e) => e.releaseId === releaseId);
  };
  type Listed = View & { archived?: boolean };
  const listOf = async (query = ''): Promise<Listed[]> =>
    ((await app.call('GET', `releases${query}`)).json as { releases: Listed[] }).releases;
  const listPageOf = async (): Promise<string> =>
    String((await app.call('GET', 'releases?format=html')).json);
  /** The releases on the list page, in page order, each with whether it says its history was purged. */
  const pageRows = (page: string): [string, boolean][] =>
    [...page.matchAll(/<li class="card release" data-release="([^"]+)">(.*?)<\/li>/g)].map((m) => [
      m[1] ?? '',
      (m[2] ?? '').includes('history purged'),
    ]);
  const instancesOf = (id: string): string[] =>
    app.host.durable
      .instances()
      .map((i) => i.instanceId)
      .filter((i) => i === id || i.startsWith(`${id}:`));

  let a = { id: '', bundleId: '' };
  let b = { id: '', bundleId: '' };
  let finalA: View | undefined;

  it("answers release A's status and page from its record once its history is purged", async () => {
    a = await start('assert True');
    finalA = await until(a.id, ended);
    expect(finalA.state, JSON.stringify(finalA)).toBe('succeeded');
    expect(instancesOf(a.id).length).toBeGreaterThanOrEqual(3); // the release and an apply per environment

    // Nothing is old enough yet: the default retention keeps today's releases.
    const none = await purgeFinishedHistory(clientFor(app.host), storage, 30, new Date());
    expect(none).toMatchObject({ archived: 0, purged: 0 });
    expect(instancesOf(a.id).length).toBeGreaterThanOrEqual(3);

    const purge = await purgeFinishedHistory(
      clientFor(app.host),
      storage,
      1,
      new Date(Date.now() + 2 * DAY_IN_MS),
    );
    expect(purge.archived).toBe(1);
    expect(purge.purged).toBeGreaterThanOrEqual(3);
    expect(instancesOf(a.id)).toEqual([]);

    const json = await app.call('GET', `releases/${a.id}`);
    expect(json.status).toBe(200);
    // The status as it was, marked archived (its durable history is gone), as the list marks it.
    expect(json.json).toEqual({ ...finalA, archived: true });
    const page = await app.call('GET', `releases/${a.id}?format=html`);
    expect(page.status).toBe(200);
    expect(String(page.json)).toContain(a.id);
    expect(String(page.json)).toContain('Succeeded');
    expect(String(page.json)).toContain('<p class="note" data-archived="true">History purged');
    // The view link (signed, no key) reaches the same record.
    const viewed = await fetch(app.statusLink(a.id));
    expect(viewed.status).toBe(200);
    expect(await viewed.text()).toContain(a.id);

    // The release list still has it, marked archived, as its status answers (JSON and page).
    expect(await listOf()).toEqual([{ ...finalA, archived: true }]);
    expect(pageRows(await listPageOf())).toEqual([[a.id, true]]);
    const listView = await fetch(app.listUrl, { headers: { accept: 'text/html' } });
    expect(listView.status).toBe(200);
    expect(pageRows(await listView.text())).toEqual([[a.id, true]]);

    // The audit trail outlives the history.
    expect((await auditOf('qa', a.id)).map((e) => e.kind)).toEqual(['started', 'planned', 'stageFinished']);

    // The same bundle again (a second upload, a redelivery) answers the purged release; it starts nothing.
    const again = await app.call('POST', 'releases', { bundleId: a.bundleId });
    expect([again.status, again.json]).toEqual([
      200,
      expect.objectContaining({ releaseId: a.id, started: false, runtimeStatus: 'Completed' }),
    ]);
    expect(instancesOf(a.id)).toEqual([]);
  });

  it("rolls QA back to the purged release's bundle when release B fails its check", async () => {
    const qaAfterA = world.emulator.snapshot('qa');
    world.emulator.scriptRuns('qa', 'smoke_test', [
      { result: 'FAILED', message: FAILURE, pendingInMs: 0, durationInMs: 0 },
      { result: 'SUCCESS', pendingInMs: 0, durationInMs: 0 },
    ]);
    b = await start('assert 1 + 1 == 2');
    const view = await until(b.id, ended);
    expect([view.runtimeStatus, view.state], JSON.stringify(view)).toEqual(['Completed', 'rolledBack']);
    expect(view.stages[1]?.message).toBe(
      `check smoke_test failed: ${FAILURE}; rolled back to bundle ${a.bundleId} of release ${a.id}`,
    );
    const { runs: _before, ...objectsAfterA } = qaAfterA;
    const { runs: _now, ...objectsNow } = world.emulator.snapshot('qa');
    expect(objectsNow).toEqual(objectsAfterA);

    const trail = await auditOf('qa', b.id);
    expect(
      trail.map((e) => [e.kind, 'bundleId' in e ? e.bundleId : (e as { state?: string }).state]),
    ).toEqual([
      ['started', b.bundleId],
      ['planned', b.bundleId],
      // The rollback's own plan, of A's bundle.
      ['planned', a.bundleId],
      ['stageFinished', 'rolledBack'],
    ]);
    expect(trail.at(-1)).toMatchObject({
      checks: [{ job: 'smoke_test', state: 'succeeded' }],
      message: expect.stringContaining(`rolled back to bundle ${a.bundleId}`),
    });
    // A's record still answers.
    expect((await app.call('GET', `releases/${a.id}`)).json).toEqual({ ...finalA, archived: true });

    // B archived by a purge that stopped before purging (a crash): B has a record and its history, and is
    // listed once, from its history; A follows, archived.
    const statusB = await clientFor(app.host).getStatus(b.id);
    await writeReleaseRecord(
      storage,
      { ...statusB, runtimeStatus: String(statusB.runtimeStatus) },
      new Date(),
    );
    const listed = await listOf();
    expect(listed.map((r) => [r.releaseId, r.archived])).toEqual([
      [b.id, undefined],
      [a.id, true],
    ]);
    expect(listed[0]).toMatchObject({
      runtimeStatus: 'Completed',
      state: 'rolledBack',
      message: view.message,
    });
    expect(pageRows(await listPageOf())).toEqual([
      [b.id, false],
      [a.id, true],
    ]);
  });

  it('purges nothing newer than the oldest unfinished release, and the timer obeys the setting', async () => {
    world.emulator.scriptRuns('dev', 'smoke_test', [
      { result: 'SUCCESS', pendingInMs: 600_000, durationInMs: 0 },
    ]);
    const c = await start('assert 3 > 2');
    await until(c.id, (v) => v.stages[0]?.state === 'checking');
    const purge = await purgeFinishedHistory(
      clientFor(app.host),
      storage,
      1,
      new Date(Date.now() + 2 * DAY_IN_MS),
    );
    // B (finished, created before C) is archived and purged; C and its apply are still there.
    expect(purge.archived).toBe(1);
    expect(instancesOf(c.id).length).toBeGreaterThanOrEqual(2);
    expect(Date.parse(purge.upTo)).toBeLessThan(
      Date.parse(String(app.host.durable.status(c.id)?.createdTime)),
    );

    // Live C first, then B and A from their records, newest first; ?top= counts both kinds.
    const listed = await listOf();
    expect(listed.map((r) => [r.releaseId, r.archived, r.runtimeStatus])).toEqual([
      [c.id, undefined, 'Running'],
      [b.id, true, 'Completed'],
      [a.id, true, 'Completed'],
    ]);
    expect((await listOf('?top=2')).map((r) => r.releaseId)).toEqual([c.id, b.id]);
    expect((await listOf('?top=1')).map((r) => r.releaseId)).toEqual([c.id]);
    expect(pageRows(await listPageOf())).toEqual([
      [c.id, false],
      [b.id, true],
      [a.id, true],
    ]);
    // B was archived twice (the interrupted purge, then this one): one index entry.
    const entries: string[] = [];
    for await (const blob of storage.container.listBlobsFlat({ prefix: RECORD_INDEX_PREFIX })) {
      entries.push(recordIndexEntryOf(blob.name)?.releaseId ?? blob.name);
    }
    expect(entries).toEqual([b.id, a.id]);

    const before = app.host.durable.instances().length;
    await app.host.invokeFunction('purgeHistory', { isPastDue: false });
    expect(app.host.logs.map((l) => l.message).join('\n')).toMatch(
      /purgeHistory: 0 instance\(s\) purged, 0 release record\(s\) kept/,
    );
    process.env.BRICKLANE_HISTORY_RETENTION_DAYS = 'off';
    try {
      await app.host.invokeFunction('purgeHistory', { isPastDue: false });
    } finally {
      delete process.env.BRICKLANE_HISTORY_RETENTION_DAYS;
    }
    expect(app.host.logs.map((l) => l.message).join('\n')).toContain('purgeHistory: off');
    expect(app.host.durable.instances().length).toBe(before);
  });
});
