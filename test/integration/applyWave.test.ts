// applyWave, the activity, against the emulator and Azurite: it applies the stored plan without planning
// again, reads only the live state its wave needs, and a retried batch (after a lost answer, or after a host
// died before the ledger write) neither writes twice nor takes its own earlier writes for drift.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { applyWave } from '../../src/activities/applyWave';
import type { ApplyWaveInput } from '../../src/activities/contracts';
import { planEnvironment } from '../../src/activities/planEnvironment';
import { readStagePlan } from '../../src/approvals/readStagePlan';
import { LedgerStore } from '../../src/azure/LedgerStore';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import { stageBundle } from '../../src/sources/stageBundle';
import { LocalWorld } from '../sandbox/LocalWorld';
import { resolve } from 'node:path';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');

describe('applyWave applies the stored plan', () => {
  let world: LocalWorld;
  let ledger: LedgerStore;
  let bundleId = '';
  const saved = { ...process.env };

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev', 'crash'], auth: 'token' });
    // The activities read their settings from the environment, as on the Functions host.
    Object.assign(process.env, world.settings());
    const storage = new ReleaseStorage(
      BlobServiceClient.fromConnectionString(world.azurite.connectionString),
    );
    bundleId = (await stageBundle(storage, ARTIFACTS)).bundleId;
    ledger = new LedgerStore(BlobServiceClient.fromConnectionString(world.azurite.connectionString));
  });
  afterAll(async () => {
    process.env = saved;
    await world?.stop();
  });

  const wave = (environment: string, w: Partial<ApplyWaveInput>, planId?: string) =>
    applyWave({
      releaseId: `r-${environment}`,
      bundleId,
      environment,
      wave: 'initScripts',
      ...(planId ? { planId } : {}),
      ...w,
    });
  const counters = (env: string): Record<string, number> => world.emulator.counters(env).byEndpoint;

  it('reads only the kinds of its wave: a notebook batch lists its folders, never clusters or jobs', async () => {
    const plan = await planEnvironment({ releaseId: 'r-dev', bundleId, environment: 'dev' });
    expect(plan.planId).toMatch(/^[0-9a-f]{12}$/);
    world.emulator.resetCounters();
    const files = await wave('dev', { wave: 'files', batch: 0, batchSize: 250 }, plan.planId);
    expect(files).toMatchObject({ done: 8, failed: 0, skipped: 0 });
    expect(files.drift).toBeUndefined();
    const read = counters('dev');
    expect(read['2.1/clusters/list'] ?? 0).toBe(0);
    expect(read['2.2/jobs/list'] ?? read['2.1/jobs/list'] ?? 0).toBe(0);
    expect(read['2.0/workspace/list']).toBeGreaterThan(0);
    // 8 objects, 7 imports: etl/ (a new folder of two source notebooks) goes as one directory import, and so
    // does checks/ (one); the folders with an .ipynb or a workspace file beside their notebooks go per file
    // (importNewFolders).
    expect(read['2.0/workspace/import']).toBe(7);
  });

  it('stores where it looked (the workspace and its URL) with the plan, for the approval page', async () => {
    await planEnvironment({ releaseId: 'r-where', bundleId, environment: 'dev' });
    const service = BlobServiceClient.fromConnectionString(world.azurite.connectionString);
    const stored = await readStagePlan(service, 'r-where', 'dev');
    expect(stored?.workspace).toEqual({ exists: true, url: world.emulator.workspaceUrl('dev') });
  });

  it('refuses a plan id that is not the stored plan', async () => {
    await expect(wave('dev', { wave: 'clusters' }, 'ffffffffffff')).rejects.toThrow(
      /not the approved ffffffffffff/,
    );
  });

  it('writes nothing again when a batch is retried after its answer was lost', async () => {
    const plan = await planEnvironment({ releaseId: 'r-crash', bundleId, environment: 'crash' });
    const first = await wave('crash', { wave: 'files', batch: 0, batchSize: 250 }, plan.planId);
    expect(first).toMatchObject({ done: 8, failed: 0 });
    world.emulator.resetCounters();
    const retried = await wave('crash', { wave: 'files', batch: 0, batchSize: 250 }, plan.planId);
    expect(retried).toMatchObject({ done: 8, failed: 0, skipped: 0 });
    expect(retried.drift).toBeUndefined();
    expect(counters('crash')['2.0/workspace/import'] ?? 0).toBe(0);
  });

  it('takes no own earlier write for drift when the host died before the ledger write', async () => {
    const plan = await planEnvironment({ releaseId: 'r-crash', bundleId, environment: 'crash' });
    // The policies wave runs before the clusters wave, as in deployEnvironment: Small names the sample policy.
    expect(await wave('crash', { wave: 'policies' }, plan.planId)).toMatchObject({ done: 1, failed: 0 });
    const before = await ledger.read('crash');
    // The first attempt creates the clusters and records them...
    const first = await wave('crash', { wave: 'clusters' }, plan.planId);
    expect(first).toMatchObject({ done: 3, failed: 0 });
    const clusters = world.emulator
      .snapshot('crash')
      .clusters.map((c) => c.cluster_id)
      .sort();
    expect(clusters).toHaveLength(3);
    // ...but its ledger write is lost with the host.
    const after = await ledger.read('crash');
    await ledger.write(before.ledger, after.etag);
    world.emulator.resetCounters();

    const retried = await wave('crash', { wave: 'clusters' }, plan.planId);
    expect(retried).toMatchObject({ done: 3, failed: 0, skipped: 0 });
    expect(retried.drift).toBeUndefined();
    expect(counters('crash')['2.1/clusters/create'] ?? 0).toBe(0);
    expect(counters('crash')['2.1/clusters/edit'] ?? 0).toBe(0);
    expect(
      world.emulator
        .snapshot('crash')
        .clusters.map((c) => c.cluster_id)
        .sort(),
    ).toEqual(clusters);
    // The retry records what the lost write would have.
    const recorded = (await ledger.read('crash')).ledger.entries;
    expect(Object.values(recorded).filter((e) => clusters.includes(e.target))).toHaveLength(3);
  });

  it('applies nothing and reports drift when a planned object moved', async () => {
    const plan = await planEnvironment({ releaseId: 'r-crash', bundleId, environment: 'crash' });
    const ws = world.emulator.workspace('crash');
    const small = ws.listClusters().find((c) => c['cluster_name'] === 'Small') as { cluster_id: string };
    const spec = ws.getCluster(small.cluster_id) as Record<string, unknown>;
    ws.setClusterState(small.cluster_id, 'TERMINATED');
    ws.clusters.edit({ ...spec, cluster_id: small.cluster_id, num_workers: 7 } as never);
    world.emulator.resetCounters();
    const moved = await wave('crash', { wave: 'clusters' }, plan.planId);
    expect(moved).toMatchObject({ done: 0, failed: 0, skipped: 3 });
    expect(moved.drift).toEqual([
      { key: 'clusters.Small', was: `id ${small.cluster_id} as planned`, now: 'num_workers changed' },
    ]);
    expect(Object.keys(counters('crash')).filter((e) => !e.endsWith('/list'))).toEqual([]);
  });
});
