// Benchmark section: what one durable environment of the bench bundle costs, counted at the boundaries:
// Databricks requests (by endpoint, from the emulator), how often the workspace connection is resolved
// (ARM workspace reads and Key Vault secret reads, from the Azure emulator), how often live state is read
// (clusters/list and jobs/list calls), how many sha256 digests of bundle files are taken (counted on
// node:crypto in this process, which hosts the app), and the history size. No latency: it counts, it
// does not time the rate limit.
import crypto from 'node:crypto';
import type { EmulatorOptions } from '../emulator/DatabricksEmulator';
import { LocalWorld } from '../sandbox/LocalWorld';
import { runRelease } from '../sandbox/runRelease';
import { SandboxApp } from '../sandbox/SandboxApp';

export interface ReleaseCosts {
  seconds: number;
  state: string;
  databricksRequests: number;
  databricksWrites: number;
  liveStateReads: { clustersList: number; jobsList: number; workspaceList: number };
  connectionResolutions: { armWorkspaceReads: number; keyVaultSecretReads: number };
  sha256Digests: number;
  historyEvents: { release: number; environment: number };
}

/** Counts every sha256 digest taken while `run` runs (file hashes dominate: one per bundle file). */
async function countingDigests<T>(run: () => Promise<T>): Promise<{ value: T; digests: number }> {
  const original = crypto.createHash;
  let digests = 0;
  const counting = ((algorithm: string, options?: crypto.HashOptions) => {
    if (algorithm === 'sha256') digests += 1;
    return original(algorithm, options);
  }) as typeof crypto.createHash;
  crypto.createHash = counting;
  try {
    return { value: await run(), digests };
  } finally {
    crypto.createHash = original;
  }
}

/** `emulator`: e.g. `{ rateLimits: false }` where only the counts matter (history size does not depend on time). */
export async function measureReleaseCosts(
  bundleDir: string,
  emulator: Omit<EmulatorOptions, 'stateDir'> = {},
): Promise<ReleaseCosts> {
  const world = await LocalWorld.start({ environments: ['dev'], emulator });
  const app = await SandboxApp.start(world);
  try {
    const started = Date.now();
    const { value: result, digests } = await countingDigests(() =>
      runRelease(app, { bundleDir, approve: 'all', log: () => undefined }),
    );
    const seconds = (Date.now() - started) / 1000;
    const dbx = world.emulator.counters(); // one environment, one workspace
    const azure = world.azure.counters();
    const of = (suffix: string): number =>
      Object.entries(dbx.byEndpoint)
        .filter(([endpoint]) => endpoint.endsWith(suffix))
        .reduce((n, [, count]) => n + count, 0);
    return {
      seconds,
      state: String(result.status.state),
      databricksRequests: dbx.total,
      databricksWrites: dbx.writes,
      liveStateReads: {
        clustersList: of('clusters/list'),
        jobsList: of('jobs/list'),
        workspaceList: of('workspace/list'),
      },
      connectionResolutions: {
        armWorkspaceReads: azure.arm.byOperation['Microsoft.Databricks/workspaces/read'] ?? 0,
        keyVaultSecretReads: azure.keyVault.reads,
      },
      sha256Digests: digests,
      historyEvents: {
        release: app.host.durable.history(result.releaseId).length,
        environment: app.host.durable.history(`${result.releaseId}:dev`).length,
      },
    };
  } finally {
    await app.stop();
    await world.stop();
  }
}
