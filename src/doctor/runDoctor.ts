// I/O: `bricklane doctor`: a read-only preflight of a real installation, one check per line. It tries what a
// deploy and a release will do (load the settings, get a token for the app identity, read each Azure
// scope, read the vault's secrets, sign in to each workspace, reach the notification webhooks) and says
// for each failure the command or setting that fixes it. It never creates, writes or posts anything, and
// never shows a secret value.
import type { TokenCredential } from '@azure/core-auth';
import { createAzureCredential } from '../azure/createAzureCredential';
import { MissingSecretError } from '../azure/MissingSecretError';
import { SERVICE_PRINCIPAL_SECRET_NAMES } from '../azure/readServicePrincipalSecrets';
import { environmentByName, loadSettings, SettingsError } from '../config/loadSettings';
import { ringOf } from '../config/readTargets';
import type { EnvironmentSettings, Settings } from '../config/Settings';
import { checkAppSettings } from './checkAppSettings';
import { checkApprovers } from './checkApprovers';
import { checkAzureResources } from './checkAzureResources';
import { checkIdentity } from './checkIdentity';
import { checkLedgerStorage } from './checkLedgerStorage';
import { checkNotifyUrl } from './checkNotifyUrl';
import { checkVaultSecrets } from './checkVaultSecrets';
import { checkWorkspaceAccess } from './checkWorkspaceAccess';
import { doctorReport, type DoctorCheck, type DoctorReport } from './DoctorCheck';
import { doctorRuntime, settingFix, type DoctorRuntime } from './DoctorRuntime';

export interface DoctorOptions {
  /** Check this environment only (app-wide checks still run). Unknown names throw SettingsError. */
  environment?: string;
  /** The app's Azure identity; created from the settings when absent (managed identity in Azure). */
  credential?: TokenCredential;
  /** Injected for tests: the network is faulted by injecting fetch (Databricks and the webhooks). */
  fetch?: typeof fetch;
}

export async function runDoctor(
  values: Readonly<Record<string, string | undefined>>,
  options: DoctorOptions = {},
): Promise<DoctorReport> {
  const runtime = doctorRuntime(values);
  let settings: Settings;
  try {
    settings = loadSettings(values);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    return doctorReport([
      ...error.problems.map((problem) => settingsProblem(problem, values, runtime)),
      { status: 'skip', name: 'other checks', detail: 'they run once the settings load' },
    ]);
  }
  // A ring (BRICKLANE_<ENV>_TARGETS) is checked workspace by workspace: each target has its own group, vault and
  // workspace, reached under its key (`prod.weu`).
  const environments = (
    options.environment ? [environmentByName(settings, options.environment)] : settings.environments
  ).flatMap((e) => ringOf(e));
  const checks: DoctorCheck[] = [
    {
      status: 'ok',
      name: 'settings',
      detail: `${settings.environments.length} environment(s): ${settings.environments
        .map((e) => `${e.name} (${e.databricksAuth})`)
        .join(', ')}`,
    },
    ...checkAppSettings(settings, runtime),
  ];
  let principalId: string | undefined;
  let credential: TokenCredential | undefined;
  // The ledger without a connection string is read with the app identity too.
  if (environments.some((e) => e.databricksAuth !== 'token') || !settings.ledger.connectionString) {
    credential = options.credential ?? createAzureCredential(settings.azure);
    const identity = await checkIdentity(settings, credential, runtime);
    checks.push(identity.check);
    principalId = identity.principalId;
  }
  const [first] = environments;
  if (first) {
    checks.push(
      await checkLedgerStorage(settings, first.name, {
        ...(credential && principalId !== undefined ? { credential, principalId } : {}),
      }),
    );
  }
  const context: EnvironmentContext = { settings, runtime, credential, principalId, fetch: options.fetch };
  const perEnvironment = await Promise.all(environments.map((env) => checkEnvironment(env, context)));
  return doctorReport([...checks, ...perEnvironment.flat()]);
}

interface EnvironmentContext {
  settings: Settings;
  runtime: DoctorRuntime;
  credential: TokenCredential | undefined;
  /** Undefined when the app identity could not get a token (already reported). */
  principalId: string | undefined;
  fetch: typeof fetch | undefined;
}

async function checkEnvironment(
  env: EnvironmentSettings,
  context: EnvironmentContext,
): Promise<DoctorCheck[]> {
  const { settings, runtime, credential, principalId } = context;
  const fetchOption = context.fetch ? { fetch: context.fetch } : {};
  const checks: DoctorCheck[] = [];
  let workspaceReady = env.databricksAuth === 'token';
  let blocked = 'fix the failures above first';
  if (env.databricksAuth !== 'token') {
    if (!credential || principalId === undefined) {
      checks.push({
        environment: env.name,
        name: 'azure resources',
        status: 'skip',
        detail: 'the app identity has no token (see "identity")',
      });
    } else {
      const azure = await checkAzureResources(settings.azure, env, credential, principalId);
      checks.push(...azure.checks);
      if (env.databricksAuth === 'keyVaultServicePrincipal') {
        if (azure.found.vault) {
          checks.push(
            ...(await checkVaultSecrets(env, azure.found.vault, credential, {
              customEndpoints: settings.azure.customEndpoints,
              principalId,
            })),
          );
        } else {
          checks.push(vaultMissingCheck(env, azure.found.readable));
        }
      }
      workspaceReady = azure.found.workspace !== undefined && checks.every((c) => c.status !== 'fail');
      if (azure.found.readable && !azure.found.workspace)
        blocked = 'the workspace does not exist yet; the first deploy creates it';
    }
  }
  checks.push(
    workspaceReady
      ? await checkWorkspaceAccess(settings, env, {
          runtime,
          ...(credential ? { appCredential: credential } : {}),
          ...(principalId !== undefined ? { principalId } : {}),
          ...fetchOption,
        })
      : { environment: env.name, name: 'databricks sign-in', status: 'skip', detail: blocked },
  );
  checks.push(checkApprovers(env, runtime));
  checks.push(await checkNotifyUrl(env, { runtime, ...fetchOption }));
  return checks;
}

/** In keyVaultServicePrincipal mode a deploy would create the vault empty and then stop for want of secrets. */
function vaultMissingCheck(env: EnvironmentSettings, readable: boolean): DoctorCheck {
  const base = { environment: env.name, name: 'service principal secrets' };
  if (!readable) return { ...base, status: 'skip', detail: 'checked once the Key Vault can be read' };
  const names = Object.values(SERVICE_PRINCIPAL_SECRET_NAMES);
  const setSecret = new MissingSecretError(env.keyVaultName, '<name>').message;
  return {
    ...base,
    status: 'fail',
    detail:
      `Key Vault ${env.keyVaultName} does not exist yet, so ${names.join(', ')} cannot be in it: ` +
      'a deploy would create the vault and then stop',
    fix:
      `az keyvault create --name ${env.keyVaultName} --resource-group ${env.resourceGroup} --location ${env.location} ` +
      `--enable-rbac-authorization true, then for each <name> above: ${setSecret.slice(Math.max(0, setSecret.indexOf('az keyvault secret set')))}`,
  };
}

/** A settings problem already says what is wrong and which key to set; the fix says where to set it. */
function settingsProblem(
  problem: string,
  values: Readonly<Record<string, string | undefined>>,
  runtime: DoctorRuntime,
): DoctorCheck {
  const key = /\b(BRICKLANE_[A-Z0-9_]+)/.exec(problem)?.[1];
  const listed = (values.BRICKLANE_ENVIRONMENTS ?? 'dev').split(',').map((s) => s.trim());
  const environment = listed.find((env) => env !== '' && key?.startsWith(`BRICKLANE_${env.toUpperCase()}_`));
  return {
    status: 'fail',
    ...(environment ? { environment } : {}),
    name: 'settings',
    detail: problem,
    fix: key
      ? settingFix(runtime, { [key]: '<a valid value, as the detail says>' })
      : 'correct the app settings named in the detail',
  };
}
