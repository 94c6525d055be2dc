// Test infrastructure: `npm run chaos`.
//   npm run chaos [-- --runs N] [--first-seed S] [--faults <spec>] [--bundle <dir>]
//       N releases (default 30) of the bundle (default artifacts/), each under its seed's faults, one or two
//       worker kills and one storage outage; prints the table and exits 1 if any seed failed
//   npm run chaos -- --seed S     replays that seed alone
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatChaosReport, runChaos } from './runChaos';
import { stopChaosRuns } from './runChaosRelease';

const USAGE =
  'usage: npm run chaos [-- --runs N] [--first-seed S] [--seed S] [--faults <spec>] [--bundle <dir>]';

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        runs: { type: 'string' },
        seed: { type: 'string' },
        'first-seed': { type: 'string' },
        faults: { type: 'string' },
        bundle: { type: 'string' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`chaos: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const numbers = ['runs', 'seed', 'first-seed'] as const;
  for (const name of numbers) {
    const text = values[name];
    if (text !== undefined && !/^\d+$/.test(text)) {
      process.stderr.write(`chaos: --${name} takes a whole number, got "${text}"\n${USAGE}\n`);
      return 2;
    }
  }
  const runs = Number(values.runs ?? 30);
  const first = Number(values['first-seed'] ?? Date.now() % 1_000_000);
  const seeds =
    values.seed !== undefined ? [Number(values.seed)] : Array.from({ length: runs }, (_, i) => first + i);
  const bundleDir = resolve(values.bundle ?? 'artifacts');
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  log(
    `chaos: seeds ${seeds.length === 1 ? seeds[0] : `${seeds[0]}..${seeds.at(-1)}`} (faults: ${values.faults ?? 'default'})`,
  );
  const report = await runChaos({
    bundleDir,
    seeds,
    ...(values.faults ? { faults: values.faults } : {}),
    log,
  });
  log(formatChaosReport(report));
  return report.failed.length > 0 ? 1 : 0;
}

// Ctrl-C: the worker and Azurite of the run in progress are in their own process groups; stop them first.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void stopChaosRuns().finally(() => process.exit(130)));

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
