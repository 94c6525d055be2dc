// Benchmark (`npm run bench`): the deploy engine against the emulator with 100 ms latency and the real
// rate limits. Prints figures and ratios; it asserts nothing (targets are read off the output).
import { mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BlobServiceClient } from '@azure/storage-blob';
import { LedgerStore } from '../../src/azure/LedgerStore';
import { StaticTokenCredential } from '../../src/databricks/StaticTokenCredential';
import { deployBundle, type DeployReport } from '../../src/activities/engine/deployBundle';
import type { Bundle } from '../../src/manifest/Bundle';
import { loadBundle } from '../../src/sources/loadBundle';
import { Azurite } from '../emulator/Azurite';
import { DatabricksEmulator } from '../emulator/DatabricksEmulator';
import { buildDeploymentPackage } from '../package/buildDeploymentPackage';
import { loadInPlainNode } from '../package/loadInPlainNode';
import { unzipPackage } from '../package/unzipPackage';
import { BENCH_SHAPE, generateBenchBundle } from './generateBenchBundle';
import { measureReleaseCosts } from './measureReleaseCosts';

const LATENCY_IN_MS = 100;
const IMPORT_LIMIT_PER_SECOND = 30;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bricklane-bench-'));
  generateBenchBundle(dir);
  const emulator = await DatabricksEmulator.start({ latencyInMs: LATENCY_IN_MS });
  const azurite = await Azurite.start();
  const ledgerStore = new LedgerStore(
    BlobServiceClient.fromConnectionString(azurite.connectionString),
    'bench-ledger',
  );
  try {
    const bundle = await load(dir);
    const s = BENCH_SHAPE;
    console.log(
      `bundle: ${bundle.notebooks.length} notebooks in ${s.folders} folders, ${bundle.initScripts.length} init scripts, ` +
        `${bundle.clusters.length} clusters, ${bundle.jobs.length} jobs; emulator latency ${LATENCY_IN_MS} ms, rate limits on`,
    );

    const deploy = async (
      env: string,
      b: Bundle,
      maxInFlight = 16,
    ): Promise<{ report: DeployReport; importRate: number }> => {
      if (!emulator.workspaceNames().includes(env)) await emulator.addWorkspace(env);
      const importTimes: number[] = [];
      const report = await deployBundle({
        environment: env,
        workspace: {
          url: emulator.workspaceUrl(env),
          credential: new StaticTokenCredential(DatabricksEmulator.defaultToken),
        },
        bundle: b,
        ledgerStore,
        maxInFlight,
        apply: true,
        clusterPollIntervalInMs: 100,
        onProgress: (p) => {
          if (p.wave === 'notebooks') importTimes.push(performance.now());
        },
      });
      if (report.failed)
        throw new Error(
          `bench deploy to ${env} failed: ${JSON.stringify(report.outcomes?.filter((o) => o.status !== 'done').slice(0, 3))}`,
        );
      const span = ((importTimes.at(-1) ?? 0) - (importTimes[0] ?? 0)) / 1000;
      return { report, importRate: span > 0 ? (importTimes.length - 1) / span : 0 };
    };

    const cold = await deploy('cold', bundle);
    const c = cold.report;
    const coldCounters = emulator.counters('cold');
    console.log(
      `cold deploy: ${(c.durationInMs / 1000).toFixed(1)} s, ${c.requests.total} requests (${c.requests.writes} writes), ` +
        `${(c.requests.total / (c.durationInMs / 1000)).toFixed(1)} req/s overall`,
    );
    console.log(
      `  notebook imports: ${cold.importRate.toFixed(1)} req/s = ${((cold.importRate / IMPORT_LIMIT_PER_SECOND) * 100).toFixed(0)}% ` +
        `of the ${IMPORT_LIMIT_PER_SECOND} req/s limit; 429s seen by the emulator: ${coldCounters.throttled}; failures: 0`,
    );

    const sequential = await deploy('sequential', bundle, 1);
    const q = sequential.report;
    console.log(
      `seed-style one call at a time: ${(q.durationInMs / 1000).toFixed(1)} s, ${q.requests.total} requests; ` +
        `speed-up ${(q.durationInMs / c.durationInMs).toFixed(1)}x`,
    );

    const again = await deploy('cold', bundle);
    console.log(
      `no-change redeploy: ${again.report.requests.writes} writes, ${again.report.requests.total} requests (reads), ${(again.report.durationInMs / 1000).toFixed(1)} s`,
    );

    const changed = bundle.notebooks[0];
    if (!changed) throw new Error('bench bundle has no notebooks');
    writeFileSync(
      join(dir, changed.source),
      `# Databricks notebook source\nprint("changed at ${new Date().toISOString()}")\n`,
    );
    const one = await deploy('cold', await load(dir));
    console.log(
      `one-notebook change: ${one.report.requests.writes} writes, ${one.report.requests.total} requests`,
    );

    await durableHistory(dir);
    await deploymentPackage();

    const rssMb = process.resourceUsage().maxRSS / 1024;
    console.log(
      `peak RSS: ${rssMb.toFixed(0)} MB (process holds the emulator and Azurite client too; target < 300 MB)`,
    );
  } finally {
    await Promise.allSettled([emulator.stop(), azurite.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same bundle as one durable release (Key Vault service principal, no approval, no latency): how big do
 * histories get, and how often is the connection resolved, live state read and each file hashed?
 */
async function durableHistory(dir: string): Promise<void> {
  const c = await measureReleaseCosts(dir);
  const { release, environment } = c.historyEvents;
  console.log(
    `durable release of the bench bundle: ${c.state} in ${c.seconds.toFixed(1)} s; history ${release} events ` +
      `(deployRelease) + ${environment} events (deployEnvironment dev) = ${release + environment} for one ` +
      `environment (target < 500)`,
  );
  console.log(
    `durable environment: ${c.databricksRequests} Databricks requests (${c.databricksWrites} writes); live state ` +
      `read: clusters/list ${c.liveStateReads.clustersList}, jobs/list ${c.liveStateReads.jobsList}, ` +
      `workspace/list ${c.liveStateReads.workspaceList}; connection resolved: ${c.connectionResolutions.armWorkspaceReads} ` +
      `ARM workspace reads, ${c.connectionResolutions.keyVaultSecretReads} Key Vault secret reads; ` +
      `${c.sha256Digests} sha256 digests in the app's process`,
  );
}

/** The zip `npm run package` builds: how big is it, and how long does plain Node 22 take to load the app from it? */
async function deploymentPackage(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), 'bricklane-bench-package-'));
  const unpacked = realpathSync(mkdtempSync(join(tmpdir(), 'bricklane-bench-unpacked-')));
  try {
    const built = await buildDeploymentPackage(outDir);
    const entries = await unzipPackage(built.zipPath, unpacked);
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await loadInPlainNode(unpacked));
    const median = (values: number[]): number =>
      values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
    console.log(
      `deployment package (npm run package): ${mb(statSync(built.zipPath).size)} MB zipped, ${entries.length} files, ` +
        `built in ${(built.durationInMs / 1000).toFixed(1)} s; plain Node ${runs[0]?.node} loads it ` +
        `(${runs[0]?.registrations.length} functions, ${runs[0]?.modules.length} modules) in ` +
        `${median(runs.map((r) => r.loadedInMs)).toFixed(0)} ms (median of ${runs.length}; ` +
        `whole process ${median(runs.map((r) => r.processInMs)).toFixed(0)} ms)`,
    );
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    rmSync(unpacked, { recursive: true, force: true });
  }
}

async function load(dir: string): Promise<Bundle> {
  const loaded = await loadBundle(dir);
  if (!loaded.bundle)
    throw new Error(`bench bundle invalid: ${JSON.stringify(loaded.diagnostics.slice(0, 5))}`);
  return loaded.bundle;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
