// Pure: app settings (a plain record, e.g. process.env) -> validated Settings, or every problem at once.
// Keys are flat (`BRICKLANE_DEV_SUBSCRIPTION_ID`) so they can be set one by one in the Functions portal.
// Names default to the seed's schema (Databricks-MyProject-Dev, KeyVault-MyProject-Dev) and are checked
// against Azure's rules here, before any call: the seed's KeyVault-<Project>-Prod overflows the 24-character
// vault limit for projects longer than 10 characters.
import { z } from 'zod';
import {
  DATABRICKS_WORKSPACE_RULE,
  KEY_VAULT_RULE,
  RESOURCE_GROUP_RULE,
  type NameRule,
} from './azureNameRules';
import type { EnvironmentBoundaries } from '../manifest/checkBoundaries';
import { DEFAULT_PROJECT } from '../manifest/parseBundleOptions';
import type { AzureSettings, DatabricksAuthMode, EnvironmentSettings, Settings } from './Settings';
import { readBoundaries } from './readBoundaries';
import { readPolicies } from './readPolicies';
import { readNotifyFormat } from './readNotifyFormat';
import { DEFAULT_APPROVAL_POLICY, readApprovalPolicy, readIdentityMap } from './readApprovalPolicy';
import { readTargets } from './readTargets';
import { readHistoryRetention } from './readHistoryRetention';
import { isGitHubRepositoryName } from './isGitHubRepositoryName';

export class SettingsError extends Error {
  readonly code = 'InvalidSettings';
  constructor(readonly problems: string[]) {
    super(`settings: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

const ENV_NAME = /^[a-z][a-z0-9]{0,15}$/;
const PROJECT_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AUTH_MODES: DatabricksAuthMode[] = ['keyVaultServicePrincipal', 'managedIdentity', 'token'];
const PUBLIC_ARM = 'https://management.azure.com';
const PUBLIC_AUTHORITY = 'https://login.microsoftonline.com';

type Values = Readonly<Record<string, string | undefined>>;

export function loadSettings(values: Values): Settings {
  const problems: string[] = unresolvedKeyVaultReferences(values);
  const project = readProject(values, problems);
  const names = readEnvironmentNames(values, problems);

  const environments = names
    .filter((n) => ENV_NAME.test(n))
    .map((name, index, all) =>
      readTargets(values, name, `${project}-${displayName(name)}`, problems, (v, p) =>
        readEnvironment(v, name, { index, count: all.length }, project, p),
      ),
    )
    .filter((e): e is EnvironmentSettings => e !== undefined);

  const azure = readAzure(values, problems);
  // Identity-based storage (infra/) has no connection string: it names the blob endpoint instead.
  const blobEndpoint = values.BRICKLANE_LEDGER_BLOB_ENDPOINT;
  const connectionString = blobEndpoint
    ? undefined
    : (values.BRICKLANE_LEDGER_CONNECTION ?? values.AzureWebJobsStorage);
  if (!connectionString && !blobEndpoint) {
    problems.push(
      'BRICKLANE_LEDGER_BLOB_ENDPOINT (https://<account>.blob.core.windows.net, used with the app identity) or ' +
        'BRICKLANE_LEDGER_CONNECTION (a storage connection string) must be set: the ledger lives there',
    );
  } else if (blobEndpoint && !z.url({ protocol: /^https?$/ }).safeParse(blobEndpoint).success) {
    problems.push(`BRICKLANE_LEDGER_BLOB_ENDPOINT must be a URL, got "${blobEndpoint}"`);
  }
  const directoryImport = values.BRICKLANE_DIRECTORY_IMPORT?.trim();
  if (directoryImport && directoryImport !== 'on' && directoryImport !== 'off') {
    problems.push(`BRICKLANE_DIRECTORY_IMPORT must be on or off, got "${directoryImport}"`);
  }
  const maxInFlight = Number(values.BRICKLANE_MAX_IN_FLIGHT ?? '16');
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > 64) {
    problems.push(
      `BRICKLANE_MAX_IN_FLIGHT must be an integer from 1 to 64, got "${values.BRICKLANE_MAX_IN_FLIGHT}"`,
    );
  }
  const checksPollInSeconds = Number(values.BRICKLANE_CHECKS_POLL_SECONDS?.trim() || '10');
  if (!Number.isInteger(checksPollInSeconds) || checksPollInSeconds < 1 || checksPollInSeconds > 60) {
    problems.push(
      `BRICKLANE_CHECKS_POLL_SECONDS must be an integer from 1 to 60, got "${values.BRICKLANE_CHECKS_POLL_SECONDS}"`,
    );
  }
  const publicUrl = (values.BRICKLANE_PUBLIC_URL ?? 'http://localhost:7071').replace(/\/+$/, '');
  if (!z.url({ protocol: /^https?$/ }).safeParse(publicUrl).success) {
    problems.push(
      `BRICKLANE_PUBLIC_URL must be the app's base URL (https://<app>.azurewebsites.net), got "${publicUrl}"`,
    );
  }
  const approvalSigningKeys = (values.BRICKLANE_APPROVAL_SIGNING_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (approvalSigningKeys.some((k) => Buffer.byteLength(k) < 32)) {
    problems.push(
      'BRICKLANE_APPROVAL_SIGNING_KEYS: each key must be at least 32 characters (e.g. openssl rand -base64 48)',
    );
  }
  const sources = readSources(values, problems);
  const identityMap = readIdentityMap(values, problems);
  const historyRetentionDays = readHistoryRetention(values, problems);
  if (problems.length > 0) throw new SettingsError(problems);
  return {
    project,
    sources,
    publicUrl,
    approvalSigningKeys,
    environments,
    azure,
    ledger: {
      ...(connectionString ? { connectionString } : {}),
      ...(blobEndpoint ? { blobEndpoint } : {}),
      container: values.BRICKLANE_LEDGER_CONTAINER ?? 'bricklane-ledger',
    },
    checksPollInSeconds,
    maxInFlight,
    identityMap,
    historyRetentionDays,
  };
}

/**
 * App Service hands the app the reference text itself when it cannot resolve a Key Vault reference ("If
 * a reference isn't resolved properly, the reference string is used instead": learn.microsoft.com,
 * app-service-key-vault-references). Taken as a value, `@Microsoft.KeyVault(...)` would pass as a
 * 32-character signing key that anyone can read in the portal, or as a webhook secret.
 */
function unresolvedKeyVaultReferences(values: Values): string[] {
  return Object.keys(values)
    .filter((key) => key.startsWith('BRICKLANE_') && /^\s*@Microsoft\.KeyVault\(/i.test(values[key] ?? ''))
    .sort()
    .map(
      (key) =>
        `${key} is a Key Vault reference that App Service could not resolve: grant the app's identity ` +
        "'Key Vault Secrets User' on the vault, check the secret's name, then see the reference's status " +
        "under the app's Environment variables in the portal",
    );
}

/**
 * Only what a bundle is checked against (the project, the environments and their boundaries), for
 * `bricklane validate`, which needs no ledger, workspace or keys.
 */
export function loadBoundaries(values: Values): { project: string; environments: EnvironmentBoundaries[] } {
  const problems: string[] = [];
  const project = readProject(values, problems);
  const environments = readEnvironmentNames(values, problems)
    .filter((n) => ENV_NAME.test(n))
    .map((name) => ({ name, boundaries: readBoundaries(values, name, project, problems) }));
  if (problems.length > 0) throw new SettingsError(problems);
  return { project, environments };
}

/** The project names the seed's resources and the default deployment folder, /Shared/<project>. */
function readProject(values: Values, problems: string[]): string {
  const project = values.BRICKLANE_PROJECT?.trim() || DEFAULT_PROJECT;
  if (!PROJECT_NAME.test(project) || /^\.+$/.test(project)) {
    problems.push(
      `BRICKLANE_PROJECT must be 1–64 letters, digits, ".", "_" or "-" (it names the deployment folder /Shared/<project>), got "${project}"`,
    );
  }
  return project;
}

function readEnvironmentNames(values: Values, problems: string[]): string[] {
  const names = (values.BRICKLANE_ENVIRONMENTS ?? 'dev')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!ENV_NAME.test(n)) {
      problems.push(
        `BRICKLANE_ENVIRONMENTS: "${n}" is not a valid environment name (lower-case letters and digits, starting with a letter, at most 16)`,
      );
    }
  }
  if (new Set(names).size !== names.length)
    problems.push('BRICKLANE_ENVIRONMENTS: an environment is listed twice');
  return names;
}

export function environmentByName(settings: Settings, name: string): EnvironmentSettings {
  const env = settings.environments
    .flatMap((e) => [e, ...(e.ring?.targets ?? [])])
    .find((e) => e.name === name);
  if (!env) {
    const known = settings.environments.map((e) => e.name).join(', ');
    throw new SettingsError([
      `environment "${name}" is not configured (configured: ${known || 'none'}); add it to BRICKLANE_ENVIRONMENTS`,
    ]);
  }
  return env;
}

/** The seed's suffixes: Dev, QA, Prod. */
export function displayName(env: string): string {
  return env === 'qa' ? 'QA' : env.charAt(0).toUpperCase() + env.slice(1);
}

function readEnvironment(
  values: Values,
  name: string,
  position: { index: number; count: number },
  project: string,
  problems: string[],
): EnvironmentSettings | undefined {
  const { index } = position;
  const prefix = `BRICKLANE_${name.toUpperCase()}_`;
  const get = (key: string): string | undefined => values[`${prefix}${key}`]?.trim() || undefined;
  const before = problems.length;
  const auth = (get('DATABRICKS_AUTH') ?? 'keyVaultServicePrincipal') as DatabricksAuthMode;
  if (!AUTH_MODES.includes(auth)) {
    problems.push(`${prefix}DATABRICKS_AUTH must be one of ${AUTH_MODES.join(', ')}, got "${auth}"`);
  }
  const suffix = `${project}-${displayName(name)}`;
  const env: EnvironmentSettings = {
    name,
    databricksAuth: auth,
    subscriptionId: get('SUBSCRIPTION_ID') ?? '',
    location: get('LOCATION') ?? 'westeurope',
    resourceGroup: get('RESOURCE_GROUP') ?? `Databricks-${suffix}`,
    workspaceName: get('WORKSPACE_NAME') ?? `Databricks-${suffix}`,
    workspaceSku: get('WORKSPACE_SKU') === 'standard' ? 'standard' : 'premium',
    keyVaultName: get('KEY_VAULT') ?? `KeyVault-${suffix}`,
    approval: {
      // The seed asked for approvers on QA and Prod: every stage after the first waits by default.
      required: (get('APPROVAL_REQUIRED') ?? String(index > 0)) === 'true',
      approvers: (get('APPROVERS') ?? '')
        .split(',')
        .map((a) => a.trim().toLowerCase())
        .filter(Boolean),
      timeoutInHours: Number(get('APPROVAL_TIMEOUT_HOURS') ?? '72'),
      policy: DEFAULT_APPROVAL_POLICY,
    },
    boundaries: readBoundaries(values, name, project, problems),
    checks: { run: true, block: true },
    rollback: 'manual',
  };
  // The app-wide value is checked once, in loadSettings.
  const directoryImport = get('DIRECTORY_IMPORT') ?? values.BRICKLANE_DIRECTORY_IMPORT?.trim();
  if (directoryImport === 'off') env.directoryImport = false;
  const own = get('DIRECTORY_IMPORT');
  if (own !== undefined && own !== 'on' && own !== 'off') {
    problems.push(`${prefix}DIRECTORY_IMPORT must be on or off, got "${own}"`);
  }
  const checks = get('CHECKS');
  if (checks !== undefined && checks !== 'run' && checks !== 'skip') {
    problems.push(`${prefix}CHECKS must be run or skip, got "${checks}"`);
  }
  const checksBlock = get('CHECKS_BLOCK');
  if (checksBlock !== undefined && checksBlock !== 'true' && checksBlock !== 'false') {
    problems.push(`${prefix}CHECKS_BLOCK must be true or false, got "${checksBlock}"`);
  }
  env.checks = { run: checks !== 'skip', block: checksBlock !== 'false' };
  env.approval.policy = readApprovalPolicy(values, name, position, env.approval.approvers, problems);
  const rollback = get('ROLLBACK');
  if (rollback !== undefined && rollback !== 'auto' && rollback !== 'manual') {
    problems.push(`${prefix}ROLLBACK must be auto or manual, got "${rollback}"`);
  }
  if (rollback === 'auto') env.rollback = 'auto';
  const policies = readPolicies(values, name, problems);
  if (policies) env.policies = policies;
  const notifyFormat = readNotifyFormat(values, name, problems);
  if (notifyFormat) env.notifyFormat = notifyFormat;
  const notifyUrl = get('NOTIFY_URL');
  if (notifyUrl) {
    if (z.url({ protocol: /^https$/ }).safeParse(notifyUrl).success) env.notifyUrl = notifyUrl;
    else problems.push(`${prefix}NOTIFY_URL must be an https:// incoming-webhook URL`);
  }
  const approvalRequired = get('APPROVAL_REQUIRED');
  if (approvalRequired !== undefined && approvalRequired !== 'true' && approvalRequired !== 'false') {
    problems.push(`${prefix}APPROVAL_REQUIRED must be true or false, got "${approvalRequired}"`);
  }
  if (!(env.approval.timeoutInHours > 0 && env.approval.timeoutInHours <= 24 * 30)) {
    problems.push(`${prefix}APPROVAL_TIMEOUT_HOURS must be a number of hours from 1 to 720`);
  }
  if (auth === 'token') {
    const url = get('WORKSPACE_URL');
    const token = get('DATABRICKS_TOKEN');
    if (!url)
      problems.push(
        `${prefix}WORKSPACE_URL is not set: token mode needs the workspace URL (https://adb-....azuredatabricks.net)`,
      );
    else if (!z.url({ protocol: /^https$/ }).safeParse(url).success) {
      problems.push(`${prefix}WORKSPACE_URL must be an https:// URL, got "${url}"`);
    }
    if (!token)
      problems.push(
        `${prefix}DATABRICKS_TOKEN is not set: token mode needs a Databricks token for the workspace`,
      );
    env.workspaceUrl = url?.replace(/\/+$/, '');
    env.databricksToken = token;
  } else {
    if (!env.subscriptionId) {
      problems.push(
        `${prefix}SUBSCRIPTION_ID is not set: set it to the subscription id of environment ${name}`,
      );
    } else if (!GUID.test(env.subscriptionId)) {
      problems.push(
        `${prefix}SUBSCRIPTION_ID must be a subscription id (a GUID), got "${env.subscriptionId}"`,
      );
    }
    checkName(problems, RESOURCE_GROUP_RULE, env.resourceGroup, `${prefix}RESOURCE_GROUP`);
    checkName(problems, DATABRICKS_WORKSPACE_RULE, env.workspaceName, `${prefix}WORKSPACE_NAME`);
    checkName(problems, KEY_VAULT_RULE, env.keyVaultName, `${prefix}KEY_VAULT`);
  }
  return problems.length === before ? env : undefined;
}

function checkName(problems: string[], rule: NameRule, name: string, key: string): void {
  const problem = rule.check(name);
  if (problem) problems.push(`${rule.resource} name "${name}" ${problem}; set ${key} to a valid name`);
}

function readAzure(values: Values, problems: string[]): AzureSettings {
  const armEndpoint = (values.BRICKLANE_ARM_ENDPOINT ?? PUBLIC_ARM).replace(/\/+$/, '');
  const authorityHost = (values.BRICKLANE_AUTHORITY_HOST ?? PUBLIC_AUTHORITY).replace(/\/+$/, '');
  for (const [key, value] of [
    ['BRICKLANE_ARM_ENDPOINT', armEndpoint],
    ['BRICKLANE_AUTHORITY_HOST', authorityHost],
  ] as const) {
    if (!z.url({ protocol: /^https$/ }).safeParse(value).success)
      problems.push(`${key} must be an https:// URL, got "${value}"`);
  }
  const credential = (values.BRICKLANE_AZURE_CREDENTIAL ?? 'managedIdentity') as AzureSettings['credential'];
  if (!['managedIdentity', 'cli', 'default'].includes(credential)) {
    problems.push(`BRICKLANE_AZURE_CREDENTIAL must be managedIdentity, cli or default, got "${credential}"`);
  }
  return {
    armEndpoint,
    authorityHost,
    customEndpoints: armEndpoint !== PUBLIC_ARM || authorityHost !== PUBLIC_AUTHORITY,
    credential,
  };
}

function readSources(values: Values, problems: string[]): Settings['sources'] {
  const opt = (key: string): string | undefined => values[key]?.trim() || undefined;
  const apiUrl = (opt('BRICKLANE_GITHUB_API_URL') ?? 'https://api.github.com').replace(/\/+$/, '');
  if (!z.url({ protocol: /^https$/ }).safeParse(apiUrl).success) {
    problems.push(`BRICKLANE_GITHUB_API_URL must be an https:// URL, got "${apiUrl}"`);
  }
  const organizationUrl = opt('BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL')?.replace(/\/+$/, '');
  if (organizationUrl && !z.url({ protocol: /^https$/ }).safeParse(organizationUrl).success) {
    problems.push(
      `BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL must be https://dev.azure.com/<organization>, got "${organizationUrl}"`,
    );
  }
  const bundlePath = (opt('BRICKLANE_BUNDLE_PATH') ?? 'artifacts').replace(/^\/+|\/+$/g, '');
  if (bundlePath.split('/').some((part) => part === '..' || part === '.')) {
    problems.push('BRICKLANE_BUNDLE_PATH must be a folder inside the repository (no . or .. segments)');
  }
  // Issue 10: a signed push is only trusted for the repositories the operator names (an organization-level
  // webhook or a reused secret signs pushes of every repository); GitHub compares names case-insensitively.
  const repositories = (opt('BRICKLANE_GITHUB_REPOSITORY') ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const badRepositories = repositories.filter((r) => !isGitHubRepositoryName(r));
  if (badRepositories.length > 0) {
    problems.push(
      `BRICKLANE_GITHUB_REPOSITORY must be owner/name[,owner/name...], got "${badRepositories.join(',')}"`,
    );
  } else if (opt('BRICKLANE_GITHUB_WEBHOOK_SECRET') && repositories.length === 0) {
    problems.push(
      'BRICKLANE_GITHUB_REPOSITORY must be set once BRICKLANE_GITHUB_WEBHOOK_SECRET is: the owner/name of the ' +
        'repository whose pushes deploy (comma-separated for several); pushes from any other are refused',
    );
  }
  const hookUsername = opt('BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME');
  const hookPassword = opt('BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD');
  return {
    branch: opt('BRICKLANE_SOURCE_BRANCH') ?? 'main',
    bundlePath,
    github: {
      ...(opt('BRICKLANE_GITHUB_WEBHOOK_SECRET')
        ? { webhookSecret: opt('BRICKLANE_GITHUB_WEBHOOK_SECRET') }
        : {}),
      ...(opt('BRICKLANE_GITHUB_TOKEN') ? { token: opt('BRICKLANE_GITHUB_TOKEN') } : {}),
      apiUrl,
      repositories,
    },
    azureRepos: {
      ...(hookUsername ? { hookUsername } : {}),
      ...(hookPassword ? { hookPassword } : {}),
      ...(organizationUrl ? { organizationUrl } : {}),
      ...(opt('BRICKLANE_AZURE_DEVOPS_PAT') ? { pat: opt('BRICKLANE_AZURE_DEVOPS_PAT') } : {}),
    },
  };
}
