// Pure: what the app sees in Azure after `azd up` (the app settings infra writes, with Key Vault references
// resolved and the variables the platform adds), and what the code makes of it: which settings it reads and
// which of its Azure features are on. The code's list of settings is recorded while it runs, never copied.
import type { TokenCredential } from '@azure/core-auth';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createAppServices } from '../../../src/services/appServices';
import { loadSettings } from '../../../src/config/loadSettings';
import { doctorRuntime } from '../../../src/doctor/DoctorRuntime';
import type { Deployment } from './deployInfra';

type Values = Readonly<Record<string, string | undefined>>;

const KEY_VAULT_SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';

/** The `appsettings` the deployment writes to the Function App. */
export function appSettingsOf(deployment: Deployment): Record<string, string> {
  const configs = deployment
    .resources()
    .filter((r) => r.type === 'Microsoft.Web/sites/config' && r.name === 'appsettings' && !r.existing);
  if (configs.length !== 1) throw new Error(`infra writes config/appsettings ${configs.length} times`);
  const settings = configs[0]?.properties ?? {};
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value !== 'string') throw new Error(`app setting ${key} is not a string`);
  }
  return settings as Record<string, string>;
}

/**
 * The environment the app's process gets: the app settings, each Key Vault reference replaced by the secret
 * it names (as App Service does with the app's identity, so that identity must hold Key Vault Secrets User on
 * the vault), and WEBSITE_AUTH_ENABLED, which App Service sets when authentication is enabled.
 * https://learn.microsoft.com/azure/app-service/app-service-key-vault-references
 * https://learn.microsoft.com/azure/app-service/reference-app-settings#authentication--authorization
 */
export function runtimeEnvironment(deployment: Deployment): {
  values: Record<string, string>;
  problems: string[];
} {
  const problems: string[] = [];
  const values: Record<string, string> = {};
  const resources = deployment.resources();
  const site = resources.find((r) => r.type === 'Microsoft.Web/sites' && !r.existing);
  for (const [key, value] of Object.entries(appSettingsOf(deployment))) {
    const reference = /^@Microsoft\.KeyVault\((.*)\)$/.exec(value)?.[1];
    if (reference === undefined) {
      values[key] = value;
      continue;
    }
    const parts = new Map(
      reference.split(';').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const),
    );
    const uri = /^https:\/\/([^.]+)\.vault\.azure\.net\/secrets\/([^/]+)\/?/.exec(
      parts.get('SecretUri') ?? '',
    );
    const vault = parts.get('VaultName') ?? uri?.[1];
    const name = parts.get('SecretName') ?? uri?.[2];
    const secret = resources.find(
      (r) => r.type === 'Microsoft.KeyVault/vaults/secrets' && r.name === name && r.parentName === vault,
    );
    const granted = resources.some(
      (r) =>
        r.type === 'Microsoft.Authorization/roleAssignments' &&
        r.scopeName === vault &&
        String(r.properties.roleDefinitionId).endsWith(KEY_VAULT_SECRETS_USER) &&
        r.properties.principalId === site?.identity.principalId,
    );
    if (!secret)
      problems.push(`${key}: no secret ${String(name)} in a vault ${String(vault)} that infra creates`);
    else if (!granted) problems.push(`${key}: the app's identity cannot read secrets in ${String(vault)}`);
    else values[key] = String(secret.properties.value);
  }
  // Set by App Service on every app (reference-app-settings, "App environment").
  const group = resources.find((r) => r.type === 'Microsoft.Resources/resourceGroups' && !r.existing);
  if (site) {
    values.WEBSITE_HOSTNAME = String(site.properties.defaultHostName);
    values.WEBSITE_SITE_NAME = site.name;
  }
  if (group) values.WEBSITE_RESOURCE_GROUP = group.name;
  const auth = resources.find((r) => r.type === 'Microsoft.Web/sites/config' && r.name === 'authsettingsV2');
  const platform = auth?.properties.platform as { enabled?: unknown } | undefined;
  if (platform?.enabled === true) values.WEBSITE_AUTH_ENABLED = 'True';
  return { values, problems };
}

/**
 * Every setting name the code reads from `values` while it builds what it builds from app settings: its
 * services (loadSettings, createAppServices) and the doctor's view of where it
 * runs (doctorRuntime). These take the whole process.env; the test checks that src/ reads nothing elsewhere.
 */
export function settingsReadBy(values: Values): Set<string> {
  const read = new Set<string>();
  const recording = new Proxy(values, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return target[key as string];
    },
  });
  doctorRuntime(recording);
  try {
    createAppServices(recording, () => NO_CREDENTIAL);
  } catch {
    // Invalid settings still show which names were read on the way.
  }
  return read;
}

const NO_CREDENTIAL: TokenCredential = { getToken: () => Promise.resolve(null) };

export interface AzureFeatures {
  /** The settings load; otherwise every function answers with the settings problems. */
  readonly valid: boolean;
  /** Approval links are made (a signing key exists); otherwise approvers get no link at all. */
  readonly approvalLinks: boolean;
  /** Links and status URLs point at a public https address, not at the local default. */
  readonly publicLinks: boolean;
  /** Approvers are named from App Service Authentication, so allow-lists can be enforced. */
  readonly verifiedApprovers: boolean;
  /** The ledger is reached with the app's identity (no connection string). */
  readonly identityLedger: boolean;
  /** The app's identity is the Azure credential. */
  readonly managedIdentity: boolean;
  readonly environments: readonly string[];
}

export function azureFeatures(values: Values): AzureFeatures {
  let services: ReturnType<typeof createAppServices>;
  try {
    services = createAppServices(values, () => NO_CREDENTIAL);
  } catch {
    return {
      valid: false,
      approvalLinks: false,
      publicLinks: false,
      verifiedApprovers: false,
      identityLedger: false,
      managedIdentity: false,
      environments: [],
    };
  }
  const { settings } = services;
  const url = new URL(settings.publicUrl);
  return {
    valid: true,
    approvalLinks: settings.approvalSigningKeys.length > 0,
    publicLinks: url.protocol === 'https:' && !['localhost', '127.0.0.1'].includes(url.hostname),
    verifiedApprovers: services.easyAuthEnabled,
    identityLedger:
      settings.ledger.blobEndpoint !== undefined && settings.ledger.connectionString === undefined,
    managedIdentity: settings.azure.credential === 'managedIdentity',
    environments: settings.environments.map((e) => `${e.name}:${e.subscriptionId}`),
  };
}

/** loadSettings must accept what it is given; a separate check from azureFeatures, for its message. */
export function settingsProblems(values: Values): string[] {
  try {
    loadSettings(values);
    return [];
  } catch (error) {
    return [String(error)];
  }
}

/**
 * Setting names src/ reads by name: `process.env.X` / `process.env['X']`, `values.X` / `values['X']`, and
 * `opt('X')` / `get('X')`, the small readers over `values` (in src/config/loadSettings.ts, `get` names the
 * key after `BRICKLANE_<ENV>_`).
 */
export function settingNamesInSource(
  srcDir: string,
): { file: string; name: string; perEnvironment: boolean }[] {
  const found: { file: string; name: string; perEnvironment: boolean }[] = [];
  for (const entry of readdirSync(srcDir, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts')) continue;
    const file = relative(srcDir, join(srcDir, entry)).split(sep).join('/');
    const text = readFileSync(join(srcDir, entry), 'utf8');
    for (const m of text.matchAll(
      /\b(?:process\.env|values)(?:\.([A-Za-z_]\w*)|\[['"]([A-Za-z_]\w*)['"]\])/g,
    )) {
      const name = m[1] ?? m[2] ?? '';
      if (/^[A-Z]/.test(name) || name.startsWith('AzureWebJobs'))
        found.push({ file, name, perEnvironment: false });
    }
    for (const m of text.matchAll(/\b(opt|get)\('([A-Z][A-Z0-9_]*)'\)/g)) {
      found.push({
        file,
        name: m[2] ?? '',
        perEnvironment: m[1] === 'get' && file === 'config/loadSettings.ts',
      });
    }
  }
  return found;
}
