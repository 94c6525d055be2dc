// Benchmark section (issue 16 part 4): rings of 1, 5 and 20 targets (BRICKLANE_PROD_TARGETS) over the sample bundle
// (artifacts/, with its smoke check), from the release started to the whole environment deployed and checked. Each
// ring is a fresh sandbox world in token mode (each target its own emulated workspace at its own origin), the
// workspace answering with the bench's latency and the host with Azure's per-episode latency, so that the ratio of
// 20 targets to 1 says what the canary-then-parallel order costs, not how fast this machine is.
import { BlobServiceClient } from '@azure/storage-blob';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import type { ReleaseStatus } from '../../src/release/ReleaseStatus';
import { stageBundle } from '../../src/sources/stageBundle';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';
import { SAMPLE_BUNDLE } from './measurePushToDeployed';

export interface RingTiming {
  targets: number;
  parallel: number;
  /** The release started (POST) -> the release completed, wall clock (ms). */
  releaseInMs: number;
  /** The ring's stage: started -> finished, on the orchestration's clock (ms). */
  stageInMs: number;
  /** The canary's own span (ms), which the rest wait for. */
  canaryInMs: number;
  state: string;
  databricksRequests: number;
}

/** One release of the sample bundle to a Prod that is a ring of `targets` workspaces, `parallel` after the canary. */
export async function measureRing(
  targets: number,
  parallel: number,
  options: { databricksLatencyInMs: number; episodeLatencyInMs: number },
): Promise<RingTiming> {
  const names = Array.from({ length: targets }, (_, i) => `r${String(i).padStart(2, '0')}`);
  const world = await LocalWorld.start({
    environments: ['prod'],
    auth: 'token',
    targets: { prod: names },
    emulator: { latencyInMs: options.databricksLatencyInMs },
  });
  let app: SandboxApp | undefined;
  try {
    app = await SandboxApp.start(world, {
      settings: {
        BRICKLANE_PROD_APPROVAL_REQUIRED: 'false',
        BRICKLANE_PROD_TARGETS_PARALLEL: String(parallel),
      },
      // Azure does not replay every episode from scratch; the bench measures what Azure would do.
      host: { episodeLatencyInMs: options.episodeLatencyInMs, checkDeterminism: false },
    });
    const blobs = BlobServiceClient.fromConnectionString(world.azurite.connectionString);
    const { bundleId } = await stageBundle(new ReleaseStorage(blobs), SAMPLE_BUNDLE);
    world.emulator.resetCounters();
    const sent = Date.now();
    const started = await app.call('POST', 'releases', { bundleId });
    const releaseId = (started.json as { releaseId: string }).releaseId;
    const done = await app.host.durable.waitFor(
      releaseId,
      (s) => ['Completed', 'Failed', 'Terminated'].includes(String(s.runtimeStatus)),
      30 * 60_000,
    );
    const releaseInMs = Date.now() - sent;
    const status = done.output as ReleaseStatus | null;
    const stage = status?.stages.find((s) => s.environment === 'prod');
    const span = (from?: string, to?: string): number =>
      from && to ? Date.parse(to) - Date.parse(from) : Number.NaN;
    const canary = stage?.targets?.[0];
    return {
      targets,
      parallel,
      releaseInMs,
      stageInMs: span(stage?.startedAt, stage?.finishedAt),
      canaryInMs: span(canary?.startedAt, canary?.finishedAt),
      state: status?.state ?? String(done.runtimeStatus),
      databricksRequests: world.emulator.counters().total,
    };
  } finally {
    await app?.stop();
    await world.stop();
  }
}
