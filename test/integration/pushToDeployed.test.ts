// Integration: what a second push costs on the way to Dev deployed, in the sandbox (the bench's push row
// without its latency). Dev's workspace exists and its connection was resolved moments ago: the plan reuses
// it and provisioning asks Azure nothing (no ARM read, no new sign-in as the service principal). The push
// changes one notebook, so the apply leaves out the waves with nothing to write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseStatus } from '../../src/release/ReleaseStatus';
import { SamplePushes } from '../bench/measurePushToDeployed';
import { EventType } from '../sandbox/host/HistoryEvent';

describe('a push to an environment that exists', () => {
  let pushes: SamplePushes;

  beforeAll(async () => {
    // Dev only: a release that went on to plan QA would read QA's (absent) workspace meanwhile.
    pushes = await SamplePushes.start({ environments: ['dev'] });
  });

  afterAll(async () => {
    await pushes?.stop();
  });

  it('reaches Dev deployed resolving the connection once (by the plan), not again to provision', async () => {
    await pushes.devDeployed(pushes.firstCommit);
    const commit = await pushes.commitOf(1);
    const before = pushes.world.azure.counters();
    await pushes.devDeployed(commit);
    const after = pushes.world.azure.counters();
    const workspaceReads = (c: typeof before): number =>
      c.arm.byOperation['Microsoft.Databricks/workspaces/read'] ?? 0;
    // The first push resolved Dev's connection when it created the workspace; the second reuses it
    // within CONNECTION_TTL_IN_MS, for its plan, its provisioning and its waves.
    expect(workspaceReads(after) - workspaceReads(before)).toBe(0);
    // Nor does it sign in again as the service principal (its secrets are read with the connection; the
    // Key Vault reads of a bundle's copied secrets are the secrets wave's own).
    expect(after.tokens.aad - before.tokens.aad).toBe(0);
  });

  it('applies a one-notebook change without the init-script, cluster, job and lifecycle waves', async () => {
    const { releaseId } = await pushes.devDeployed(await pushes.commitOf(2));
    const waves = pushes.app.host.durable
      .history(`${releaseId}:dev`)
      .filter((e) => e.EventType === EventType.TaskScheduled && e.Name === 'applyWave')
      .map((e) => (JSON.parse(e.Input ?? '{}') as { wave?: string }).wave);
    expect(waves).toContain('files');
    // Kinds whose waves run whenever they have items (planEnvironment's RECHECKED_ONLY) may run too.
    for (const idle of ['initScripts', 'clusters', 'jobs', 'lifecycle']) expect(waves).not.toContain(idle);
    const status = pushes.app.host.durable.status(releaseId)?.customStatus as ReleaseStatus;
    const dev = status.stages.find((s) => s.environment === 'dev');
    // Every item of the sample counts as done: the changed notebook written, the others in place.
    expect(dev?.outcome?.failed).toBe(0);
    expect(dev?.outcome?.done).toBeGreaterThan(1);
  });
});
