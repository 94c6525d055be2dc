// Deterministic: one environment: provision -> init scripts -> clusters -> notebooks and files (batches
// in parallel) -> jobs -> cluster lifecycle -> pruning. Each wave is one activity or a few batches, so
// history grows with the number of batches, not files. A failed wave stops what depends on it.
import type * as df from 'durable-functions';
import {
  ACTIVITIES,
  type ApplyWaveInput,
  type DeployEnvironmentInput,
  type DeployEnvironmentResult,
  type ProvisionResult,
  type WaveResult,
} from '../activities/contracts';
import { retryPolicy } from './retryPolicy';

export function* deployEnvironment(
  context: df.OrchestrationContext,
): Generator<df.Task, DeployEnvironmentResult, unknown> {
  const input = context.df.getInput<DeployEnvironmentInput>();
  const ref = { releaseId: input.releaseId, bundleId: input.bundleId, environment: input.environment };
  const results: WaveResult[] = [];
  const wave = (w: Omit<ApplyWaveInput, keyof typeof ref>): df.Task =>
    context.df.callActivityWithRetry(ACTIVITIES.applyWave, retryPolicy(), { ...ref, ...w });
  const failed = (...names: string[]): boolean =>
    results.some((r) => names.includes(r.wave) && (r.failed > 0 || r.skipped > 0));

  const provision = (yield context.df.callActivityWithRetry(
    ACTIVITIES.provisionEnvironment,
    retryPolicy(),
    ref,
  )) as ProvisionResult;

  if (input.counts.initScripts > 0) results.push((yield wave({ wave: 'initScripts' })) as WaveResult);
  const skipped = (name: WaveResult['wave'], count: number, why: string): WaveResult => ({
    wave: name,
    batch: 0,
    done: 0,
    failed: 0,
    skipped: count,
    failures: [{ key: name, message: `skipped: ${why}` }],
  });
  let clusters: WaveResult | undefined;
  if (input.counts.clusters > 0) {
    clusters = failed('initScripts')
      ? skipped('clusters', input.counts.clusters, 'an init script failed to deploy')
      : ((yield wave({ wave: 'clusters' })) as WaveResult);
    results.push(clusters);
  }
  const batches = Math.ceil(input.counts.files / input.batchSize);
  if (batches > 0) {
    const tasks = Array.from({ length: batches }, (_, batch) =>
      wave({ wave: 'files', batch, batchSize: input.batchSize }),
    );
    results.push(...((yield context.df.Task.all(tasks)) as WaveResult[]));
  }
  if (input.counts.jobs > 0) {
    results.push(
      failed('clusters', 'files')
        ? skipped('jobs', input.counts.jobs, 'a cluster or notebook it may use failed to deploy')
        : ((yield wave({ wave: 'jobs' })) as WaveResult),
    );
  }
  const touched = clusters?.touchedClusterIds ?? [];
  if (touched.length > 0)
    results.push((yield wave({ wave: 'lifecycle', clusterIds: touched })) as WaveResult);
  if (input.prune && !results.some((r) => r.failed > 0 || r.skipped > 0)) {
    results.push((yield wave({ wave: 'prune' })) as WaveResult);
  }
  return {
    done: results.reduce((n, r) => n + r.done, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    skipped: results.reduce((n, r) => n + r.skipped, 0),
    failures: results.flatMap((r) => r.failures).slice(0, 20),
    created: provision.created,
  };
}
