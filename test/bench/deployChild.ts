// Test infrastructure (benchmark): one engine deploy in a process of its own, so that its peak RSS is its
// own (the parent holds the emulator and Azurite). Reads a DeployJob as JSON from argv[2] and prints one
// line of JSON: the DeployOutcome.
import { performance } from 'node:perf_hooks';
import { BlobServiceClient } from '@azure/storage-blob';
import { LedgerStore } from '../../src/azure/LedgerStore';
import { StaticTokenCredential } from '../../src/databricks/StaticTokenCredential';
import { deployBundle, type DeployBundleOptions } from '../../src/activities/engine/deployBundle';
import { loadBundle } from '../../src/sources/loadBundle';
import type { DeployJob, DeployOutcome } from './deployInChild';

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as DeployJob;
  const loaded = await loadBundle(job.bundleDir);
  if (!loaded.bundle)
    throw new Error(`bench bundle invalid: ${JSON.stringify(loaded.diagnostics.slice(0, 5))}`);
  const importTimes: number[] = [];
  const options: DeployBundleOptions = {
    environment: job.environment,
    workspace: { url: job.workspaceUrl, credential: new StaticTokenCredential(job.token) },
    bundle: loaded.bundle,
    ledgerStore: new LedgerStore(
      BlobServiceClient.fromConnectionString(job.ledgerConnectionString),
      job.ledgerContainer,
    ),
    maxInFlight: job.maxInFlight,
    apply: true,
    clusterPollIntervalInMs: 100,
    onProgress: (p) => {
      if (p.wave === 'notebooks' || p.wave === 'files') importTimes.push(performance.now());
    },
    // Options of engines newer than this bench (directory import) pass through as given.
    ...(job.engineOptions ?? {}),
  };
  const report = await deployBundle(options);
  const span = ((importTimes.at(-1) ?? 0) - (importTimes[0] ?? 0)) / 1000;
  const outcome: DeployOutcome = {
    failed: report.failed,
    failures: (report.outcomes ?? [])
      .filter((o) => o.status !== 'done')
      .slice(0, 3)
      .map((o) => `${o.key}: ${o.message ?? o.status}`),
    durationInMs: report.durationInMs,
    requests: report.requests.total,
    writes: report.requests.writes,
    importRate: span > 0 ? (importTimes.length - 1) / span : 0,
    peakRssInMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
