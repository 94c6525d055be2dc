// Test infrastructure: `npm run sandbox`.
//   npm run sandbox [-- --bundle <dir>] [--approve all] [--world D] [--state-out F]
//       a whole release through the function app: Dev, then QA and Prod after approval links
//       [--app <dir>] hosts an unpacked deployment package (npm run package, unzipped) instead of src/
//   npm run sandbox -- deploy <dir> [--world D] [--state-out F] [--json]   the CLI against dev
//   npm run sandbox -- plan <dir> [--world D] [--json]
//   npm run sandbox -- doctor [--world D] [--json]     the read-only preflight against the emulated world
//   any of them [--faults <spec> [--seed <n>]]    faults in every emulated service (test/emulator/FaultSpec.ts)
//   a release [--storage-outage <ms>@<delay-ms>]   Azurite stopped for <ms>, <delay-ms> after the release starts
//   a release [--prod-targets weu,neu,eus]          Prod as a ring of these workspaces (canary first)
//   npm run sandbox -- --scenario rollback          release 1, then release 2 failing QA's check: QA rolls back
// With --json, stdout carries the JSON alone (progress goes to stderr); run it as `npm run -s sandbox -- …
// --json` so that npm's own banner stays off stdout too.
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { runCli } from '../../src/cli/runCli';
import { formatFaultSpec, parseFaultSpec, type FaultSpec } from '../emulator/FaultSpec';
import { packageEntry } from './host/loadFunctionApp';
import { interruptSignals } from './interruptSignals';
import { targetListProblems } from '../../src/config/readTargets';
import { LocalWorld } from './LocalWorld';
import { WorldInUseError } from './WorldLock';
import { followRelease, runRelease, type ReleaseRunResult } from './runRelease';
import { runRollbackScenario } from './rollbackScenario';
import { startSourceHosts, triggerRelease, type TriggerKind } from './triggerRelease';
import { SandboxApp } from './SandboxApp';

const USAGE = `usage:
  npm run sandbox [-- --bundle <dir>] [--approve all] [--via manual|github|azure-repos|upload]
                     [--world <dir>] [--state-out <file>] [--app <unpacked-package-dir>]
  npm run sandbox -- deploy|plan [<bundle-dir>] [--world <dir>] [--state-out <file>] [--json]
  npm run sandbox -- doctor [--world <dir>] [--json]
  any of them: [--faults <spec>|default [--seed <n>]]  e.g. --faults default --seed 7,
    --faults 5xx=0.1,429=0.05,reset-before=0.02,reset-after=0.02,lost=0.02,spike=0.05:1500,services=arm+keyvault
  a release: [--storage-outage <ms>@<delay-ms>]  storage stopped for <ms>, <delay-ms> after the release starts
  a release: [--prod-targets weu,neu,eus]  Prod is a ring of these workspaces (BRICKLANE_PROD_TARGETS), canary first
  npm run sandbox -- --scenario rollback [--bundle <dir>] [--world <dir>]
    two releases: the second fails QA's smoke check and QA rolls back to the first by itself (ROLLBACK=auto)
  (pipe --json output with \`npm run -s sandbox -- … --json\`: -s keeps npm's banner off stdout)`;

const REPOSITORY_ROOT = resolve(__dirname, '..', '..');

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        world: { type: 'string' },
        'state-out': { type: 'string' },
        json: { type: 'boolean' },
        bundle: { type: 'string' },
        approve: { type: 'string' },
        via: { type: 'string' },
        app: { type: 'string' },
        faults: { type: 'string' },
        seed: { type: 'string' },
        'storage-outage': { type: 'string' },
        'prod-targets': { type: 'string' },
        scenario: { type: 'string' },
      },
    });
  } catch (error) {
    process.stderr.write(`sandbox: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const worldDir = values.world ? resolve(values.world) : undefined;
  const stateOut = values['state-out'] ? resolve(values['state-out']) : undefined;
  // A state file in the checkout would be formatted-checked by `npm run lint` (and could be committed);
  // .cache/ is ignored by git, ESLint and Prettier (which reads .gitignore), so it may go there.
  if (
    stateOut &&
    isInside(REPOSITORY_ROOT, stateOut) &&
    !isInside(join(REPOSITORY_ROOT, '.cache'), stateOut)
  ) {
    process.stderr.write(
      `sandbox: --state-out ${stateOut} is inside the repository (${REPOSITORY_ROOT}), where \`npm run lint\` ` +
        'would check it; write it under .cache/ (e.g. --state-out .cache/state.json) or outside the repository\n',
    );
    return 2;
  }
  const faults = faultsOption(values.faults, values.seed);
  if (typeof faults === 'string') {
    process.stderr.write(`sandbox: ${faults}\n${USAGE}\n`);
    return 2;
  }
  if (faults) {
    // Printed first, so any run can be replayed exactly.
    process.stderr.write(
      `sandbox: --faults ${formatFaultSpec(faults.spec)} --seed ${faults.seed} (the same two replay this run)\n`,
    );
  }
  const outageText = values['storage-outage'];
  const outage = outageText === undefined ? undefined : /^(\d{1,6})@(\d{1,7})$/.exec(outageText);
  if (outage === null || (outage && positionals.length > 0)) {
    process.stderr.write(
      `sandbox: --storage-outage takes <ms>@<delay-ms> (e.g. 3000@5000) and applies to a release\n${USAGE}\n`,
    );
    return 2;
  }
  const storageOutage = outage && { durationInMs: Number(outage[1]), delayInMs: Number(outage[2]) };
  const [command, dir = 'artifacts', ...extra] = positionals;
  if (command === undefined) {
    if (values.json) {
      process.stderr.write(`sandbox: --json applies to deploy, plan and doctor\n${USAGE}\n`);
      return 2;
    }
    if (values.approve !== undefined && values.approve !== 'all') {
      process.stderr.write(`sandbox: --approve takes "all"\n${USAGE}\n`);
      return 2;
    }
    const via = values.via ?? 'manual';
    if (!['manual', 'github', 'azure-repos', 'upload'].includes(via)) {
      process.stderr.write(`sandbox: --via takes manual, github, azure-repos or upload\n${USAGE}\n`);
      return 2;
    }
    const appDir = values.app ? resolve(values.app) : undefined;
    if (appDir) {
      try {
        packageEntry(appDir);
      } catch (error) {
        process.stderr.write(`sandbox: --app: ${(error as Error).message}\n${USAGE}\n`);
        return 2;
      }
    }
    const bundleDir = resolve(values.bundle ?? 'artifacts');
    // Checked before the world starts: a bad --bundle answers at once, not with a stack trace seconds later.
    const problem = bundleFolderProblem(bundleDir);
    if (problem) {
      process.stderr.write(`sandbox: --bundle ${bundleDir}: ${problem}\n${USAGE}\n`);
      return 2;
    }
    if (values.scenario !== undefined) {
      const others = (
        ['via', 'app', 'faults', 'storage-outage', 'prod-targets', 'state-out'] as const
      ).filter((name) => values[name] !== undefined);
      if (values.scenario !== 'rollback' || others.length > 0) {
        process.stderr.write(
          `sandbox: --scenario takes "rollback"${others.length > 0 ? `, with --bundle and --world only (not --${others.join(', --')})` : ''}\n${USAGE}\n`,
        );
        return 2;
      }
      return runRollbackScenario(bundleDir, (line) => void process.stdout.write(`${line}\n`), worldDir);
    }
    // A ring (BRICKLANE_PROD_TARGETS): Prod deploys to each of these workspaces, the first as the canary.
    const prodTargets = values['prod-targets']
      ?.split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    // Checked before the world starts, by the rule the app holds BRICKLANE_PROD_TARGETS to.
    const targetProblems = prodTargets ? targetListProblems(prodTargets, '--prod-targets') : [];
    if (targetProblems.length > 0) {
      process.stderr.write(`sandbox: ${targetProblems.join('; ')}\n${USAGE}\n`);
      return 2;
    }
    return release(bundleDir, values.approve === 'all', via, worldDir, stateOut, appDir, {
      ...(faults ? { faults } : {}),
      ...(storageOutage ? { storageOutage } : {}),
      ...(prodTargets ? { prodTargets } : {}),
    });
  }
  if (values.app !== undefined) {
    process.stderr.write(`sandbox: --app applies to a release (no subcommand)\n${USAGE}\n`);
    return 2;
  }
  if (!['deploy', 'plan', 'doctor'].includes(command)) {
    process.stderr.write(`sandbox: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  const unexpected = command === 'doctor' ? positionals.slice(1) : extra;
  if (unexpected.length > 0) {
    process.stderr.write(
      `sandbox: unexpected argument${unexpected.length > 1 ? 's' : ''} ${unexpected.map((a) => `"${a}"`).join(' ')} after ${command}\n${USAGE}\n`,
    );
    return 2;
  }
  const world = await LocalWorld.start({ worldDir, ...(faults ? { faults } : {}) });
  try {
    if (!values.json) {
      const { emulator } = world;
      const origins = emulator
        .workspaceNames()
        .map((name) => `${name} ${emulator.workspaceUrl(name)}`)
        .join(', ');
      process.stderr.write(
        `sandbox: emulated Azure at ${world.azure.armEndpoint} (managed identity, Entra ID, Key Vault), ` +
          `Databricks workspaces each at their own origin (${origins || 'none yet'}), ledger in Azurite${worldDir ? ` (world kept in ${worldDir})` : ''}\n`,
      );
    }
    world.emulator.resetCounters();
    world.azure.resetCounters();
    const args = command === 'doctor' ? [command] : [command, dir, '--env', 'dev'];
    const code = await runCli([...args, ...(values.json ? ['--json'] : [])], {
      env: world.settings(),
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      cwd: process.cwd(),
    });
    if (stateOut) writeFileSync(stateOut, `${JSON.stringify(world.state(), null, 2)}\n`);
    return code;
  } finally {
    await world.stop();
  }
}

async function release(
  bundleDir: string,
  approveAll: boolean,
  via: string,
  worldDir?: string,
  stateOut?: string,
  appDir?: string,
  chaos: {
    faults?: { spec: FaultSpec; seed: number };
    storageOutage?: { durationInMs: number; delayInMs: number };
    prodTargets?: string[];
  } = {},
): Promise<number> {
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const { faults, storageOutage, prodTargets } = chaos;
  const world = await LocalWorld.start({
    worldDir,
    environments: ['dev', 'qa', 'prod'],
    ...(prodTargets ? { targets: { prod: prodTargets } } : {}),
    ...(faults ? { faults } : {}),
    ...(storageOutage ? { storageOutages: true } : {}),
  });
  let app: SandboxApp | undefined;
  const hosts = via === 'manual' ? undefined : await startSourceHosts(bundleDir);
  if (hosts) world.addSourceHosts(hosts.sources);
  // Ctrl-C saves the world (emulators keep their state only at stop); the release resumes next time.
  const interrupted = interruptSignals(log);
  try {
    app = await SandboxApp.start(world, {
      worldDir,
      ...(appDir ? { appDir } : {}),
      ...(hosts ? { settings: hosts.settings } : {}),
    });
    log(
      `sandbox: function app ${appDir ? `from the package in ${appDir} ` : ''}at ${app.url} ` +
        `(Azure, Databricks and storage emulated${worldDir ? `; world in ${worldDir}` : ''})`,
    );
    if (!approveAll)
      log('sandbox: QA and Prod wait for approval: open the printed links (or run with --approve all)');
    const follow = { approve: approveAll ? ('all' as const) : ('none' as const), log };
    if (storageOutage) {
      setTimeout(() => {
        log(`sandbox: storage outage: Azurite stopped for ${storageOutage.durationInMs} ms`);
        world.storageOutage(storageOutage.durationInMs).then(
          () => log('sandbox: storage outage over: Azurite is back on the same ports'),
          (error: unknown) => log(`sandbox: storage outage: Azurite did not come back: ${String(error)}`),
        );
      }, storageOutage.delayInMs).unref();
    }
    const running = async (): Promise<ReleaseRunResult> => {
      if (!hosts || !app) return runRelease(app as SandboxApp, { bundleDir, ...follow });
      const releaseId = await triggerRelease(
        via as TriggerKind,
        app,
        world,
        hosts.sources,
        hosts.commit,
        bundleDir,
      );
      log(
        `${via}: release ${releaseId} started by ${via === 'upload' ? 'an upload to bundles/' : `a push of ${hosts.commit.slice(0, 12)}`} ` +
          `(status: ${app.statusLink(releaseId)})`,
      );
      return followRelease(app, releaseId, '', follow);
    };
    const outcome = await Promise.race([running(), interrupted]);
    if (typeof outcome === 'number') return outcome;
    const result = outcome;
    if (faults) log(`sandbox: faults injected: ${JSON.stringify(world.injectedFaults())}`);
    if (stateOut) {
      writeFileSync(
        stateOut,
        `${JSON.stringify({ ...world.state(), releases: [result.status] }, null, 2)}\n`,
      );
    }
    const code = result.status.state === 'succeeded' ? 0 : 1;
    if (approveAll) return code;
    // A person is looking: the pages stay up (the status page refreshes itself) until Ctrl-C.
    log(`sandbox: final status: ${app.statusLink(result.releaseId)}`);
    log(`sandbox: release list: ${app.listUrl} (a signed list link, as the status pages link to it)`);
    log('sandbox: still serving; press Ctrl-C to stop');
    await interrupted;
    return code;
  } finally {
    await app?.stop();
    await hosts?.sources.stop();
    await world.stop();
  }
}

/** The parsed --faults/--seed, undefined without --faults, or what is wrong with them. */
function faultsOption(
  text: string | undefined,
  seedText: string | undefined,
): { spec: FaultSpec; seed: number } | undefined | string {
  if (text === undefined) return seedText === undefined ? undefined : '--seed applies with --faults';
  let spec: FaultSpec;
  try {
    spec = parseFaultSpec(text);
  } catch (error) {
    return `--faults: ${(error as Error).message}`;
  }
  if (seedText === undefined) return { spec, seed: Math.floor(Math.random() * 2 ** 31) };
  if (!/^\d{1,10}$/.test(seedText) || Number(seedText) > 2 ** 32 - 1) {
    return `--seed ${seedText} is not a whole number from 0 to ${2 ** 32 - 1}`;
  }
  return { spec, seed: Number(seedText) };
}

/** Why a --bundle path cannot be a bundle folder, if it cannot. */
function bundleFolderProblem(dir: string): string | undefined {
  let isFolder: boolean;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch {
    return 'no such folder';
  }
  if (!isFolder) return 'not a folder (give the folder that holds the bundle)';
  if (readdirSync(dir).length === 0) return 'the folder is empty';
  return undefined;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof WorldInUseError) {
      process.stderr.write(`sandbox: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `sandbox: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
