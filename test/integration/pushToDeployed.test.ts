// Integration: what a second push costs on the way to Dev deployed, in the sandbox (the bench's push row
// without its latency). Dev's workspace exists and its connection was resolved by the plan moments ago:
// provisioning asks Azure nothing more (no ARM read, no Key Vault secret read).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SamplePushes } from '../bench/measurePushToDeployed';

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
    expect(after.keyVault.reads - before.keyVault.reads).toBe(0);
  });
});
