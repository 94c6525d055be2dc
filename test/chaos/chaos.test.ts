// Test infrastructure: the short chaos run CI keeps (the full one is `npm run chaos`): releases of the sample
// bundle, each under its seed's faults, one or two worker kills and one storage outage, must all converge.
// BRICKLANE_CHAOS_RUNS sets the number of seeds (default 5), BRICKLANE_CHAOS_SEED the first one (printed;
// a failing seed replays alone with `npm run chaos -- --seed <seed>`).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatChaosReport, runChaos } from './runChaos';

const RUNS = Number(process.env.BRICKLANE_CHAOS_RUNS ?? 5);
const FIRST_SEED = Number(process.env.BRICKLANE_CHAOS_SEED ?? Date.now() % 1_000_000);
const RUN_LIMIT_MS = 180_000;
/**
 * Seeds that once failed, run every time beside the random ones. 265197: a Key Vault reset the SDK's retries
 * did not get past, while the secrets wave read a value, failed Prod's item instead of retrying the activity.
 */
const REGRESSION_SEEDS = [265197];

describe('chaos', () => {
  it(
    `every release converges under faults, worker kills and a storage outage (${RUNS} seeds and ${REGRESSION_SEEDS.length} regression seeds)`,
    async () => {
      const random = Array.from({ length: RUNS }, (_, i) => FIRST_SEED + i);
      const seeds = [...REGRESSION_SEEDS, ...random];
      process.stdout.write(`chaos: seeds ${REGRESSION_SEEDS.join(', ')}, ${random[0]}..${random.at(-1)}\n`);
      const report = await runChaos({
        bundleDir: join(__dirname, '..', '..', 'artifacts'),
        seeds,
        log: (line) => void process.stdout.write(`${line}\n`),
      });
      const table = formatChaosReport(report);
      process.stdout.write(`${table}\n`);
      expect(
        report.failed.map((r) => r.seed),
        table,
      ).toEqual([]);
      expect(report.results.length).toBe(seeds.length);
    },
    (RUNS + REGRESSION_SEEDS.length + 1) * RUN_LIMIT_MS,
  );
});
