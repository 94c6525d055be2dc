// I/O: the `bricklane` command line: validate, plan and deploy a bundle folder; doctor checks an installation.
// Exit codes: 0 success, 1 invalid bundle, failed deploy or failed doctor check, 2 usage or settings errors
// (nothing attempted).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleSecretVaultOf } from '../azure/BundleSecretVault';
import { connectWorkspace } from '../azure/connectWorkspace';
import { createAzureCredential } from '../azure/createAzureCredential';
import { LedgerStore } from '../azure/LedgerStore';
import { environmentByName, loadBoundaries, loadSettings, SettingsError } from '../config/loadSettings';
import type { EnvironmentSettings, Settings } from '../config/Settings';
import type { Bundle, Diagnostic } from '../manifest/Bundle';
import { describeDiagnostic } from '../manifest/describeDiagnostic';
import { holdToBoundaries, type EnvironmentBoundaries } from '../manifest/checkBoundaries';
import { retargetInitScripts } from '../manifest/retargetInitScripts';
import { loadBundle } from '../sources/loadBundle';
import { formatPlan } from '../planning/formatPlan';
import type { CliIo } from './CliIo';
import { deployBundle } from '../activities/engine/deployBundle';
import { formatDoctorReport } from '../doctor/formatDoctorReport';
import { runDoctor } from '../doctor/runDoctor';
import { formatDeployReport } from './formatDeployReport';
import { runUpgrade } from './runUpgrade';
import { runAudit } from './runAudit';

export const USAGE = `usage:
  bricklane validate <bundle-dir> [--json]
  bricklane validate <bundle-dir> --upgrade [--write <dir>] [--json]
                                               what the bundle uses that Databricks deprecated, each with the
                                               change to make; --write puts a converted copy in a new folder
  bricklane plan <bundle-dir> --env <name> [--json]
  bricklane deploy <bundle-dir> --env <name> [--json]
  bricklane doctor [--env <name>] [--json]     read-only preflight: settings, identity and roles, Key Vault
                                               secrets, workspace sign-in, signing keys, URLs, webhooks
  bricklane audit --env <name> [--since <ISO time>] [--limit <n>] [--json]
                                               the environment's audit trail, oldest first (--json: JSON Lines)

Settings (app settings or environment variables; see local.settings.sample.json):
  BRICKLANE_ENVIRONMENTS               ordered environment names, e.g. dev,qa,prod (default dev)
  BRICKLANE_<ENV>_DATABRICKS_AUTH      keyVaultServicePrincipal (default) | managedIdentity | token
  BRICKLANE_<ENV>_SUBSCRIPTION_ID      Azure modes: the environment's subscription
  BRICKLANE_<ENV>_RESOURCE_GROUP, _WORKSPACE_NAME, _KEY_VAULT, _LOCATION   (seed naming by default)
  BRICKLANE_<ENV>_WORKSPACE_URL, _DATABRICKS_TOKEN                         token mode
  BRICKLANE_LEDGER_BLOB_ENDPOINT       ledger storage, used with the app identity (or BRICKLANE_LEDGER_CONNECTION)
  BRICKLANE_MAX_IN_FLIGHT              requests in flight per workspace (default 16)
  Boundaries (per environment BRICKLANE_<ENV>_..., or for all BRICKLANE_...; validate checks them too):
  WORKSPACE_ROOTS        folders notebooks, files and init scripts may go to (default /Shared/<project>)
  VOLUME_ROOTS           Unity Catalog volume folders init scripts may come from (default none)
  DBFS_INIT_SCRIPT_ROOTS DBFS folders for init scripts, e.g. dbfs:/init-scripts/<project> (default none: off)
  RUN_AS                 principals jobs may run as (default none)
  PERMISSIONS            grants a bundle's ACLs may make, e.g. group:data-engineers=CAN_MANAGE_RUN (default none)
  GIT_SOURCES            repository URLs git_source may name, pinned to a commit (default none)
  ADOPT_EXISTING         overwrite objects bricklane did not deploy: true | false (default false)`;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        env: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        upgrade: { type: 'boolean' },
        write: { type: 'string' },
        since: { type: 'string' },
        limit: { type: 'string' },
      },
    });
  } catch (error) {
    io.stderr(`bricklane: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, dir, ...extra] = positionals;
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (command === 'doctor') {
    if (positionals.length > 1) {
      io.stderr(`bricklane doctor: takes no positional arguments\n${USAGE}\n`);
      return 2;
    }
    return doctor(values.env, values.json === true, io);
  }
  if (command === 'audit') {
    if (positionals.length > 1) {
      io.stderr(`bricklane audit: takes no positional arguments\n${USAGE}\n`);
      return 2;
    }
    return runAudit({ ...values, json: values.json === true }, io);
  }
  if (!command || !['validate', 'plan', 'deploy'].includes(command) || !dir || extra.length > 0) {
    io.stderr(
      `bricklane: ${command && !['validate', 'plan', 'deploy'].includes(command) ? `unknown command "${command}"` : 'missing or extra arguments'}\n${USAGE}\n`,
    );
    return 2;
  }
  if (
    (values.upgrade === true && command !== 'validate') ||
    (values.write !== undefined && !values.upgrade)
  ) {
    io.stderr(`bricklane: --upgrade goes with validate, and --write with --upgrade\n${USAGE}\n`);
    return 2;
  }
  if (command !== 'validate' && !values.env) {
    io.stderr(`bricklane ${command}: --env <name> is required\n${USAGE}\n`);
    return 2;
  }
  const json = values.json === true;
  const print = (value: unknown, text: string): void =>
    io.stdout(`${json ? JSON.stringify(value, null, 2) : text}\n`);

  // Settings are checked before the bundle is read, so a misconfigured run touches nothing. validate needs
  // only the boundaries (no ledger, workspace or keys): those of --env, or of every configured environment.
  let settings;
  let environment;
  let held: { project: string; environments: EnvironmentBoundaries[] };
  try {
    if (command === 'validate') {
      held = loadBoundaries(io.env);
      if (values.env !== undefined) {
        const chosen = held.environments.filter((e) => e.name === values.env);
        if (chosen.length === 0) {
          throw new SettingsError([
            `environment "${values.env}" is not configured (configured: ${held.environments.map((e) => e.name).join(', ')}); add it to BRICKLANE_ENVIRONMENTS`,
          ]);
        }
        held = { ...held, environments: chosen };
      }
    } else {
      settings = loadSettings(io.env);
      environment = environmentByName(settings, values.env ?? '');
      held = {
        project: settings.project,
        environments: [{ name: environment.name, boundaries: environment.boundaries }],
      };
    }
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    io.stderr(`bricklane ${command}: ${error.message}\n`);
    return 2;
  }

  const bundleDir = resolve(io.cwd, dir);
  if (values.upgrade === true) {
    const upgrade = { bundleDir, project: held.project, environments: held.environments, json };
    return runUpgrade(values.write === undefined ? upgrade : { ...upgrade, writeDir: values.write }, io);
  }
  const loaded = holdToBoundaries(await loadBundle(bundleDir, { project: held.project }), held.environments);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.bundle) {
    print(
      { valid: false, diagnostics: loaded.diagnostics },
      `${bundleDir}: ${errors.length} error(s); nothing was deployed\n${loaded.diagnostics.map(formatDiagnostic).join('\n')}`,
    );
    return 1;
  }
  const bundle = loaded.bundle;
  if (command === 'validate' || !settings || !environment) {
    const counts = {
      initScripts: bundle.initScripts.length,
      clusters: bundle.clusters.length,
      notebooks: bundle.notebooks.length,
      files: bundle.files.length,
      jobs: bundle.jobs.length,
    };
    const warnings = loaded.diagnostics.map(formatDiagnostic);
    print(
      { valid: true, counts, diagnostics: loaded.diagnostics },
      [
        `${bundleDir}: valid (${Object.entries(counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')})`,
        ...warnings,
      ].join('\n'),
    );
    return 0;
  }

  try {
    return await runEnvironmentCommand(command === 'deploy', settings, environment, bundle, json, io);
  } catch (error) {
    // Provisioning, identity, Key Vault and ledger errors carry their own remedy; show it, not a stack.
    io.stderr(`bricklane ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function doctor(env: string | undefined, json: boolean, io: CliIo): Promise<number> {
  let report;
  try {
    report = await runDoctor(io.env, env === undefined ? {} : { environment: env });
  } catch (error) {
    // Only an --env that the (valid) settings do not list: a usage error.
    if (!(error instanceof SettingsError)) throw error;
    io.stderr(`bricklane doctor: ${error.problems.join('; ')}\n`);
    return 2;
  }
  io.stdout(`${json ? JSON.stringify(report, null, 2) : formatDoctorReport(report)}\n`);
  return report.ok ? 0 : 1;
}

async function runEnvironmentCommand(
  deploy: boolean,
  settings: Settings,
  environment: EnvironmentSettings,
  bundle: Bundle,
  json: boolean,
  io: CliIo,
): Promise<number> {
  const print = (value: unknown, text: string): void =>
    io.stdout(`${json ? JSON.stringify(value, null, 2) : text}\n`);
  let lastProgressAt = 0;
  const connected = await connectWorkspace(settings, environment, { create: deploy });
  if (connected.azure?.created.length) {
    io.stderr(`  created in Azure: ${connected.azure.created.join(', ')} (${environment.resourceGroup})\n`);
  }
  const report = await deployBundle({
    environment: environment.name,
    workspace: connected.workspace,
    // The bundle as this environment deploys it: the operator may choose where its init scripts go.
    bundle: retargetInitScripts(bundle, environment.boundaries.initScriptTarget),
    ledgerStore: LedgerStore.fromSettings(settings.ledger, () => createAzureCredential(settings.azure)),
    maxInFlight: settings.maxInFlight,
    apply: deploy,
    boundaries: environment.boundaries,
    vault: bundleSecretVaultOf(settings, environment, connected, () => createAzureCredential(settings.azure)),
    ...(environment.directoryImport === false ? { directoryImport: false } : {}),
    onProgress: (p) => {
      const now = Date.now();
      if (json || (now - lastProgressAt < 2000 && p.done !== p.total)) return;
      lastProgressAt = now;
      io.stderr(`  ${p.wave}: ${p.done}/${p.total}\n`);
    },
  });
  const azure = connected.azure;
  if (!deploy) {
    const missing =
      azure && !azure.workspace
        ? `\n  (workspace ${environment.workspaceName} does not exist yet; deploy creates it)`
        : '';
    print({ plan: report.plan, requests: report.requests, azure }, `${formatPlan(report.plan)}${missing}`);
    return 0;
  }
  print({ ...report, azure }, `${formatPlan(report.plan)}\n\n${formatDeployReport(report)}`);
  return report.failed ? 1 : 0;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `  ${d.severity}: ${describeDiagnostic(d)}`;
}
