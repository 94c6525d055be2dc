// Test infrastructure: a chaos run: one fault-free release of the bundle (the state every run must end in,
// and the time the overhead is measured against), then one release per seed under its plan, each checked.
// Used by `npm run chaos` (test/chaos/main.ts) and the short run in CI (test/chaos/chaos.test.ts).
import { checkChaosRun, expectedState, type ChaosVerdict } from './checkChaosRun';
import { describePlan, planChaos, type Baseline } from './planChaos';
import { runChaosRelease } from './runChaosRelease';

export interface ChaosRunOptions {
  bundleDir: string;
  seeds: number[];
  /** A fault spec (test/emulator/FaultSpec.ts); default `default`. */
  faults?: string;
  log: (line: string) => void;
}

export interface SeedResult {
  seed: number;
  plan: string;
  story: string[];
  durationMs: number;
  verdict: ChaosVerdict;
}

export interface ChaosReport {
  baseline: Baseline;
  results: SeedResult[];
  failed: SeedResult[];
}

export async function runChaos(options: ChaosRunOptions): Promise<ChaosReport> {
  const quiet = (): void => {};
  options.log(`chaos: a fault-free release of ${options.bundleDir} first (the expected state and time)`);
  const clean = await runChaosRelease(options.bundleDir, { workers: [], limitInMs: 120_000 }, quiet);
  if (clean.status?.state !== 'succeeded')
    throw new Error(
      `the fault-free release did not succeed: ${clean.error ?? JSON.stringify(clean.status)}\n` +
        `the workers' last words:\n${(clean.outputs.find((o) => o.source === 'worker output')?.text ?? '').slice(-3000)}`,
    );
  const baseline: Baseline = { durationMs: clean.durationMs, counts: clean.counts };
  const expected = expectedState(clean);
  options.log(
    `chaos: fault-free release ${(clean.durationMs / 1000).toFixed(1)} s, ${clean.counts.commits} history commits, ` +
      `${clean.counts.activities} activities, ${clean.counts.ledgerWrites} ledger writes, ` +
      `${clean.counts.releaseWrites} release record writes`,
  );
  const results: SeedResult[] = [];
  for (const seed of options.seeds) {
    const plan = planChaos(seed, baseline, options.faults);
    const planned = describePlan(plan);
    options.log(`chaos: seed ${seed}: ${planned}`);
    const outcome = await runChaosRelease(options.bundleDir, plan, quiet);
    const verdict = checkChaosRun(outcome, expected);
    const result = { seed, plan: planned, story: outcome.story, durationMs: outcome.durationMs, verdict };
    results.push(result);
    options.log(
      `chaos: seed ${seed}: ${verdict.problems.length === 0 ? 'converged' : 'FAILED'} in ` +
        `${(outcome.durationMs / 1000).toFixed(1)} s (${outcome.story.join('; ')})` +
        verdict.problems.map((p) => `\n    ${p}`).join(''),
    );
  }
  return { baseline, results, failed: results.filter((r) => r.verdict.problems.length > 0) };
}

/** The table the issue asks for, then the seeds that failed and how to replay each. */
export function formatChaosReport(report: ChaosReport): string {
  const { results, baseline } = report;
  const count = (test: (r: SeedResult) => boolean): number => results.filter(test).length;
  const overheads = results.map((r) => r.durationMs / baseline.durationMs - 1).sort((a, b) => a - b);
  const cell = (ratio: number | undefined): string =>
    ratio === undefined
      ? '-'
      : `${ratio >= 0 ? '+' : ''}${Math.round(ratio * 100)}% (${((baseline.durationMs * (1 + ratio)) / 1000).toFixed(1)} s)`;
  const header = ['runs', 'converged', 'duplicates', 'stuck claims', 'wrong messages', 'secret leaks'];
  const row = [
    results.length,
    count((r) => r.verdict.converged),
    count((r) => r.verdict.duplicates.length > 0),
    count((r) => r.verdict.stuckClaims.length > 0),
    count((r) => r.verdict.wrongMessage !== undefined),
    count((r) => r.verdict.leaks.length > 0),
  ].map(String);
  // Kills that happened (a planned point the resumed run never reached is no kill), and outages.
  const kills = results.reduce((n, r) => n + r.story.filter((line) => / killed /.test(line)).length, 0);
  const outages = results.filter((r) => r.story.some((line) => line.startsWith('storage outage'))).length;
  header.push('worker kills', 'storage outages', 'overhead p50', 'overhead p95');
  row.push(
    String(kills),
    String(outages),
    cell(percentile(overheads, 0.5)),
    cell(percentile(overheads, 0.95)),
  );
  const widths = header.map((h, i) => Math.max(h.length, (row[i] ?? '').length));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const lines = [`fault-free release: ${(baseline.durationMs / 1000).toFixed(1)} s`, line(header), line(row)];
  for (const failed of report.failed)
    lines.push(
      `seed ${failed.seed} failed (${failed.plan}): ${failed.verdict.problems.join('; ')}`,
      `  replay: npm run chaos -- --seed ${failed.seed}`,
    );
  return lines.join('\n');
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}
