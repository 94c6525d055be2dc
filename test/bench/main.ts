// Benchmark (`npm run bench [-- --scale]`): the deploy engine against the emulator with 100 ms latency and
// the real rate limits, and a release in the sandbox from a signed push to Dev deployed. Prints one table,
// each row with its ratio to the per-file cold deploy, then the details behind it. It asserts nothing
// (targets are read off the output). `--scale` adds the 5,000 and 10,000 notebook rows (several minutes);
// `--rings` runs only the ring rows (rings of 1, 5 and 20 targets over the sample bundle).
import { mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Azurite } from '../emulator/Azurite';
import { DatabricksEmulator } from '../emulator/DatabricksEmulator';
import { buildDeploymentPackage } from '../package/buildDeploymentPackage';
import { loadInPlainNode } from '../package/loadInPlainNode';
import { unzipPackage } from '../package/unzipPackage';
import { deployInChild, type DeployOutcome } from './deployInChild';
import { BENCH_SHAPE, generateBenchBundle, type BenchBundleShape } from './generateBenchBundle';
import { percentile } from '../integration/bursts/deliverBurst';
import { measurePushToDeployed, SAMPLE_BUNDLE, type PushLatency } from './measurePushToDeployed';
import { measureWebhookAcks, type WebhookAcks } from './measureWebhookAcks';
import { measureReleaseCosts, type ReleaseCosts } from './measureReleaseCosts';
import { measureRing, type RingTiming } from './measureRings';

const LATENCY_IN_MS = 100;
const IMPORT_LIMIT_PER_SECOND = 30;
/**
 * Azure Durable Functions (Azure Storage provider) runs about 5 sequential activities per second per
 * instance ("Performance and scale in Durable Functions", performance targets): each message goes through a
 * storage queue and each episode reads and appends the history in Table storage. The sandbox host adds this
 * before each episode, so the push row is not faster than Azure would be.
 */
const EPISODE_LATENCY_IN_MS = 200;
const PUSH_RUNS = 10;
const DELIVERIES_IN_FLIGHT = 50;
/** Rounds of DELIVERIES_IN_FLIGHT deliveries sent at once, each on a new worker; the row pools them. */
const ACK_ROUNDS = 3;
/** The one-call-at-a-time floor is measured on this fraction of the bundle and scaled up (it is linear). */
const FLOOR_SAMPLE = 10;
/** Ring sizes (BRICKLANE_PROD_TARGETS) and the parallel bound after the canary: the default, and all at once. */
const RINGS: readonly { targets: number; parallel: number }[] = [
  { targets: 1, parallel: 4 },
  { targets: 5, parallel: 4 },
  { targets: 20, parallel: 4 },
  { targets: 20, parallel: 19 },
];
/** The engine's two ways to import new folders of notebooks (deployBundle's directoryImport, default on). */
const DIRECTORY_IMPORT = { directoryImport: true };
const PER_FILE = { directoryImport: false };

interface Row {
  name: string;
  seconds?: number;
  requests?: number;
  writes?: number;
  throttled?: number;
  peakRssInMb?: number;
  historyPerEnvironment?: number;
  note?: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { scale: { type: 'boolean', default: false }, rings: { type: 'boolean', default: false } },
  });
  const benchStarted = Date.now();
  if (values.rings) {
    const { rows, details } = await ringRows();
    printTable(rows, Number.NaN);
    for (const line of details) console.log(line);
    console.log(`bench took ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'bricklane-bench-'));
  const emulator = await DatabricksEmulator.start({ latencyInMs: LATENCY_IN_MS });
  const azurite = await Azurite.start();
  const rows: Row[] = [];
  const details: string[] = [];
  try {
    const bundleOf = (name: string, shape: BenchBundleShape): string => {
      const dir = join(work, name);
      generateBenchBundle(dir, shape);
      return dir;
    };
    const deploy = async (
      env: string,
      bundleDir: string,
      options: { maxInFlight?: number; engineOptions?: Record<string, unknown> } = {},
    ): Promise<DeployOutcome & { throttled: number }> => {
      if (!emulator.workspaceNames().includes(env)) await emulator.addWorkspace(env);
      const before = emulator.counters(env).throttled;
      const outcome = await deployInChild({
        bundleDir,
        environment: env,
        workspaceUrl: emulator.workspaceUrl(env),
        token: DatabricksEmulator.defaultToken,
        ledgerConnectionString: azurite.connectionString,
        ledgerContainer: 'bench-ledger',
        maxInFlight: options.maxInFlight ?? 16,
        ...(options.engineOptions ? { engineOptions: options.engineOptions } : {}),
      });
      return { ...outcome, throttled: emulator.counters(env).throttled - before };
    };
    const engineRow = (name: string, o: DeployOutcome & { throttled: number }, note?: string): Row => ({
      name,
      seconds: o.durationInMs / 1000,
      requests: o.requests,
      writes: o.writes,
      throttled: o.throttled,
      peakRssInMb: o.peakRssInMb,
      ...(note ? { note } : {}),
    });

    const bench = bundleOf('bench', BENCH_SHAPE);
    const s = BENCH_SHAPE;
    details.push(
      `bundle: ${s.folders * s.notebooksPerFolder} notebooks in ${s.folders} folders, ${s.initScripts} init scripts, ` +
        `${s.clusters} clusters, ${s.jobs} jobs; emulator latency ${LATENCY_IN_MS} ms, rate limits on`,
    );

    const directory = await deploy('cold-directory', bench, { engineOptions: DIRECTORY_IMPORT });
    rows.push(engineRow('cold deploy, directory import', directory));
    const perFile = await deploy('cold', bench, { engineOptions: PER_FILE });
    rows.push(engineRow('cold deploy, per file (today)', perFile));
    details.push(
      `per-file notebook imports: ${perFile.importRate.toFixed(1)} req/s = ` +
        `${((perFile.importRate / IMPORT_LIMIT_PER_SECOND) * 100).toFixed(0)}% of the ${IMPORT_LIMIT_PER_SECOND} req/s limit`,
    );

    const sample = bundleOf('floor-sample', {
      folders: s.folders / FLOOR_SAMPLE,
      notebooksPerFolder: s.notebooksPerFolder,
      initScripts: s.initScripts / FLOOR_SAMPLE,
      clusters: s.clusters / FLOOR_SAMPLE,
      jobs: s.jobs / FLOOR_SAMPLE,
    });
    const floor = await deploy('one-at-a-time', sample, { maxInFlight: 1, engineOptions: PER_FILE });
    rows.push({
      name: 'one call at a time (floor)',
      seconds: (floor.durationInMs / 1000) * FLOOR_SAMPLE,
      requests: floor.requests * FLOOR_SAMPLE,
      writes: floor.writes * FLOOR_SAMPLE,
      throttled: floor.throttled,
      note: `measured on 1/${FLOOR_SAMPLE} of the bundle (${(floor.durationInMs / 1000).toFixed(1)} s), x${FLOOR_SAMPLE}`,
    });

    // Redeploys of the directory-imported workspace, as the product deploys by default.
    const again = await deploy('cold-directory', bench);
    rows.push(engineRow('no-change redeploy', again));
    writeFileSync(
      join(bench, 'notebooks', 'area00', 'nb000.py'),
      `# Databricks notebook source\nprint("changed at ${new Date().toISOString()}")\n`,
    );
    rows.push(engineRow('one-notebook change', await deploy('cold-directory', bench)));

    const push = await measurePushToDeployed({
      runs: PUSH_RUNS,
      episodeLatencyInMs: EPISODE_LATENCY_IN_MS,
      databricksLatencyInMs: LATENCY_IN_MS,
    });
    const acks = await measureWebhookAcks({
      bundleDir: SAMPLE_BUNDLE,
      deliveriesInFlight: DELIVERIES_IN_FLIGHT,
      rounds: ACK_ROUNDS,
      episodeLatencyInMs: EPISODE_LATENCY_IN_MS,
    });
    rows.push(pushRow(push), ackRow(acks));
    details.push(...pushDetails(push));

    const costs = await measureReleaseCosts(bench, { latencyInMs: 0 });
    const scaleRows: Row[] = [
      {
        ...engineRow('scale 1,000 notebooks', directory),
        historyPerEnvironment: historyOf(costs),
      },
    ];
    details.push(...durableDetails(costs));
    if (values.scale) {
      for (const notebooks of [5_000, 10_000]) {
        const shape = { ...BENCH_SHAPE, folders: notebooks / BENCH_SHAPE.notebooksPerFolder };
        const dir = bundleOf(`scale-${notebooks}`, shape);
        const outcome = await deploy(`scale-${notebooks}`, dir);
        // History size does not depend on time: counted without latency or rate limits.
        const history = await measureReleaseCosts(dir, { rateLimits: false });
        const times = notebooks / 1_000;
        scaleRows.push({
          ...engineRow(`scale ${notebooks.toLocaleString('en-US')} notebooks`, outcome),
          historyPerEnvironment: historyOf(history),
          note:
            `${times}x the notebooks of the 1,000 row: ${(outcome.durationInMs / directory.durationInMs).toFixed(1)}x ` +
            `the time, ${(outcome.requests / directory.requests).toFixed(1)}x the requests`,
        });
      }
    } else {
      scaleRows.push({ name: 'scale 5,000 and 10,000 notebooks', note: 'run `npm run bench -- --scale`' });
    }
    rows.push(...scaleRows);
    const rings = await ringRows();
    rows.push(...rings.rows);
    details.push(...rings.details);
    // Another part's work in progress can break the package (a missing runtime dependency): say so, and
    // keep the figures above.
    details.push(
      await deploymentPackage().catch(
        (error: unknown) => `deployment package: failed: ${String(error).split('\n')[0] ?? ''}`,
      ),
    );

    printTable(rows, perFile.durationInMs / 1000);
    for (const line of details) console.log(line);
    console.log(`bench took ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`);
  } finally {
    await Promise.allSettled([emulator.stop(), azurite.stop()]);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Rings of 1, 5 and 20 targets over the sample bundle: time to the whole environment deployed, and 20 over 1. */
async function ringRows(): Promise<{ rows: Row[]; details: string[] }> {
  const timings: RingTiming[] = [];
  for (const ring of RINGS) {
    timings.push(
      await measureRing(ring.targets, ring.parallel, {
        databricksLatencyInMs: LATENCY_IN_MS,
        episodeLatencyInMs: EPISODE_LATENCY_IN_MS,
      }),
    );
  }
  const one = timings.find((t) => t.targets === 1);
  const rows = timings.map((t): Row => ({
    name: `ring of ${t.targets} target${t.targets > 1 ? 's' : ''}, ${t.parallel} at once after the canary`,
    seconds: t.stageInMs / 1000,
    requests: t.databricksRequests,
    note:
      `${t.state}; canary ${(t.canaryInMs / 1000).toFixed(1)} s; release ${(t.releaseInMs / 1000).toFixed(1)} s` +
      (one && t.targets > 1 ? `; ${(t.stageInMs / one.stageInMs).toFixed(1)}x the ring of 1` : ''),
  }));
  return {
    rows,
    details: [
      `rings: the sample bundle (artifacts/, with its smoke check) to Prod as a ring in token mode; the time is Prod's ` +
        `stage (plan, apply and checks of every target), workspace latency ${LATENCY_IN_MS} ms, host ` +
        `${EPISODE_LATENCY_IN_MS} ms per episode; target: 20 targets well under 20x one`,
    ],
  };
}

function pushRow(push: PushLatency): Row {
  const p50 = percentile(push.runs, 0.5) / 1000;
  const p95 = percentile(push.runs, 0.95) / 1000;
  return {
    name: `push -> Dev deployed p50 (${push.runs.length} runs)`,
    seconds: p50,
    note: `p95 ${p95.toFixed(1)} s; sample bundle, one notebook changed per push; target p50 < 5 s`,
  };
}

/** The acknowledgement row: every round pooled, each round's p99 in the note (the spread). */
function ackRow({ acks, roundP99s }: WebhookAcks): Row {
  const s = (ms: number): string => (ms / 1000).toFixed(3);
  return {
    name: `webhook ack p99 (${DELIVERIES_IN_FLIGHT} in flight, worker process)`,
    seconds: percentile(acks, 0.99) / 1000,
    note:
      `p50 ${s(percentile(acks, 0.5))} s, max ${s(acks.at(-1) ?? 0)} s over ${acks.length} deliveries; ` +
      `p99 per round ${roundP99s.map(s).join(', ')} s; target p99 < 0.1 s`,
  };
}

function pushDetails(push: PushLatency): string[] {
  const total = percentile(push.runs, 0.5);
  const named = push.breakdown.reduce((n, s) => n + s.ms, 0);
  return [
    `push -> Dev deployed: runs ${push.runs.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s; the first push ` +
      `(also creates Dev's workspace, minutes of ARM in Azure) ${(push.firstPushInMs / 1000).toFixed(1)} s`,
    `  where the median run's time went (host: ${EPISODE_LATENCY_IN_MS} ms per orchestrator episode; workspace: ${LATENCY_IN_MS} ms per request):`,
    `    webhook, start and first episode: ${(total - named).toFixed(0)} ms`,
    ...push.breakdown.map((step) => `    ${step.step}: ${step.ms.toFixed(0)} ms`),
    `  Azure calls on the path (answered locally in ms; each is ~50-300 ms in Azure): ARM ${push.azureCalls.arm}, ` +
      `Key Vault ${push.azureCalls.keyVault}, token ${push.azureCalls.tokens}`,
  ];
}

function historyOf(costs: ReleaseCosts): number {
  return costs.historyEvents.release + costs.historyEvents.environment;
}

function durableDetails(c: ReleaseCosts): string[] {
  const { release, environment } = c.historyEvents;
  return [
    `durable release of the bench bundle: ${c.state} in ${c.seconds.toFixed(1)} s (no latency); history ${release} ` +
      `events (deployRelease) + ${environment} events (deployEnvironment dev) = ${release + environment} for one ` +
      `environment (target < 500)`,
    `durable environment: ${c.databricksRequests} Databricks requests (${c.databricksWrites} writes); live state ` +
      `read: clusters/list ${c.liveStateReads.clustersList}, jobs/list ${c.liveStateReads.jobsList}, ` +
      `workspace/list ${c.liveStateReads.workspaceList}; connection resolved: ${c.connectionResolutions.armWorkspaceReads} ` +
      `ARM workspace reads, ${c.connectionResolutions.keyVaultSecretReads} Key Vault secret reads; ` +
      `${c.sha256Digests} sha256 digests in the app's process`,
  ];
}

function printTable(rows: readonly Row[], perFileSeconds: number): void {
  const cell = (value: number | undefined, digits: number, unit = ''): string =>
    value === undefined ? '-' : `${value.toFixed(digits)}${unit}`;
  const table = [
    ['row', 'time', 'requests', 'writes', '429s', 'peak RSS', 'history/env', 'vs per file', 'note'],
    ...rows.map((r) => [
      r.name,
      cell(r.seconds, r.seconds !== undefined && r.seconds < 1 ? 3 : 1, ' s'),
      cell(r.requests, 0),
      cell(r.writes, 0),
      cell(r.throttled, 0),
      cell(r.peakRssInMb, 0, ' MB'),
      cell(r.historyPerEnvironment, 0),
      r.seconds === undefined || Number.isNaN(perFileSeconds)
        ? '-'
        : `${(r.seconds / perFileSeconds).toFixed(2)}x`,
      r.note ?? '',
    ]),
  ];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((line) => (line[i] ?? '').length))) ?? [];
  for (const line of table)
    console.log(
      line
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
}

/** The zip `npm run package` builds: how big is it, and how long does plain Node 22 take to load the app from it? */
async function deploymentPackage(): Promise<string> {
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
    return (
      `deployment package (npm run package): ${mb(statSync(built.zipPath).size)} MB zipped, ${entries.length} files, ` +
      `built in ${(built.durationInMs / 1000).toFixed(1)} s; plain Node ${runs[0]?.node} loads it ` +
      `(${runs[0]?.registrations.length} functions, ${runs[0]?.modules.length} modules) in ` +
      `${median(runs.map((r) => r.loadedInMs)).toFixed(0)} ms (median of ${runs.length}; ` +
      `whole process ${median(runs.map((r) => r.processInMs)).toFixed(0)} ms)`
    );
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    rmSync(unpacked, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
