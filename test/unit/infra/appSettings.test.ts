import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appSettingsOf,
  azureFeatures,
  runtimeEnvironment,
  settingNamesInSource,
  settingsProblems,
  settingsReadBy,
  type AzureFeatures,
} from './auditAppSettings';
import { BicepFile, property, type BicepResource } from './BicepFile';
import { deployInfra, type AzdInputs, type Deployment } from './deployInfra';

const repo = join(__dirname, '..', '..', '..');
const infraDir = join(repo, 'infra');

function readInfra(dir: string): Map<string, BicepFile> {
  const files = new Map<string, BicepFile>();
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.bicep')) continue;
    const path = relative(dir, join(dir, entry)).split(sep).join('/');
    files.set(path, new BicepFile(path, readFileSync(join(dir, entry), 'utf8')));
  }
  return files;
}

// azd's alphabet for generated values (Azure/azure-dev cli/azd/pkg/password/generator.go).
const AZD_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.{}~()*+!';

/** A first `azd up` in a fresh azd environment, answering the one prompt the README announces. */
const firstAzdUp: AzdInputs = {
  environment: {
    AZURE_ENV_NAME: 'bricklane',
    AZURE_LOCATION: 'swedencentral',
    AZURE_SUBSCRIPTION_ID: '11111111-2222-3333-4444-555555555555',
  },
  prompts: { authClientId: '99999999-8888-7777-6666-555555555555' },
  generate: (_name, config) =>
    Array.from({ length: config.length ?? 16 }, () => AZD_ALPHABET[randomInt(AZD_ALPHABET.length)]).join(''),
  tenantId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
};

const parametersJson = readFileSync(join(infraDir, 'main.parameters.json'), 'utf8');
const infra = readInfra(infraDir);

function deploy(files: ReadonlyMap<string, BicepFile> = infra, inputs: AzdInputs = firstAzdUp): Deployment {
  return deployInfra(files, parametersJson, inputs);
}

const ALL_ON: Omit<AzureFeatures, 'environments'> = {
  valid: true,
  approvalLinks: true,
  publicLinks: true,
  verifiedApprovers: true,
  identityLedger: true,
  managedIdentity: true,
};

describe('infra/ app settings against the settings src/ reads', () => {
  const deployment = deploy();
  const runtime = runtimeEnvironment(deployment);
  const infraSettings = appSettingsOf(deployment);
  const without = (key: string): Record<string, string> =>
    Object.fromEntries(Object.entries(runtime.values).filter(([k]) => k !== key));

  it('gives the app settings it accepts, with every Azure feature on', () => {
    expect(runtime.problems).toEqual([]);
    expect(settingsProblems(runtime.values)).toEqual([]);
    const { environments, ...features } = azureFeatures(runtime.values);
    expect(features).toEqual(ALL_ON);
    const subscription = firstAzdUp.environment.AZURE_SUBSCRIPTION_ID ?? '';
    expect(environments).toEqual([`dev:${subscription}`, `qa:${subscription}`, `prod:${subscription}`]);
  });

  it('points links at the app host name and signs them with the generated key, from Key Vault', () => {
    const site = deployment.resources().find((r) => r.type === 'Microsoft.Web/sites' && !r.existing);
    expect(runtime.values.BRICKLANE_PUBLIC_URL).toBe(`https://${String(site?.properties.defaultHostName)}`);
    expect(infraSettings.BRICKLANE_APPROVAL_SIGNING_KEYS).toMatch(/^@Microsoft\.KeyVault\(/);
    const generated = deployment.parameters.get('approvalSigningKeys');
    expect(generated?.source).toBe('generated');
    expect(runtime.values.BRICKLANE_APPROVAL_SIGNING_KEYS).toBe(generated?.value);
    // No secret in the app settings themselves, nor in the outputs azd writes to .azure/<env>/.env.
    expect(JSON.stringify(infraSettings)).not.toContain(String(generated?.value));
    const outputs = [...(infra.get('main.bicep')?.outputValues.values() ?? [])].map((o) => o.code).join('\n');
    expect(outputs).not.toMatch(/approvalSigningKeys/);
  });

  it('resolves the Key Vault reference only when the app identity may read that vault', () => {
    const text = readFileSync(join(infraDir, 'app/appRoles.bicep'), 'utf8');
    const start = text.indexOf("resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments");
    expect(start).toBeGreaterThan(0);
    const ungranted = text.slice(0, start) + text.slice(text.indexOf('\n}\n', start) + 3);
    const edited = new Map([
      ...infra,
      ['app/appRoles.bicep', new BicepFile('app/appRoles.bicep', ungranted)],
    ]);
    const { values, problems } = runtimeEnvironment(deploy(edited));
    expect(problems).toEqual([
      expect.stringContaining(
        "BRICKLANE_APPROVAL_SIGNING_KEYS: the app's identity cannot read secrets in kv-",
      ),
    ]);
    expect(azureFeatures(values).approvalLinks).toBe(false);
  });

  it('sets only BRICKLANE_* settings the code reads', () => {
    const read = settingsReadBy(runtime.values);
    const unread = Object.keys(infraSettings).filter((key) => key.startsWith('BRICKLANE_') && !read.has(key));
    expect(unread).toEqual([]);
  });

  it('is checked by a feature probe that turns off when a required setting is missing', () => {
    // Which settings are required is found by removing each one, never listed by hand.
    const required = Object.keys(runtime.values).filter((key) => {
      const { environments: _, ...features } = azureFeatures(without(key));
      return JSON.stringify(features) !== JSON.stringify(ALL_ON);
    });
    for (const key of ['BRICKLANE_PUBLIC_URL', 'BRICKLANE_APPROVAL_SIGNING_KEYS', 'WEBSITE_AUTH_ENABLED']) {
      expect(required, key).toContain(key);
    }
    // The environment list too: without it, the code deploys to dev only.
    expect(azureFeatures(without('BRICKLANE_ENVIRONMENTS')).environments).toHaveLength(1);
  });

  it('keeps settings set in the portal, and lets infra win on the ones it owns', () => {
    const merged = appSettingsOf(
      deploy(infra, {
        ...firstAzdUp,
        existingAppSettings: {
          BRICKLANE_PROD_APPROVERS: 'alice@contoso.com',
          BRICKLANE_PUBLIC_URL: 'http://old',
        },
      }),
    );
    expect(merged.BRICKLANE_PROD_APPROVERS).toBe('alice@contoso.com');
    expect(merged.BRICKLANE_PUBLIC_URL).toBe(infraSettings.BRICKLANE_PUBLIC_URL);
  });

  /**
   * Every setting the code reads, over the settings infra gives and their variants: token mode reads two
   * more keys per environment, and an alternative is read only when the setting before it is missing (the
   * ledger's connection string when there is no blob endpoint).
   */
  const allReads = (): Set<string> => {
    const tokenMode: Record<string, string> = { ...runtime.values };
    for (const env of (runtime.values.BRICKLANE_ENVIRONMENTS ?? '').split(',')) {
      tokenMode[`BRICKLANE_${env.toUpperCase()}_DATABRICKS_AUTH`] = 'token';
    }
    const variants = [runtime.values, tokenMode, ...Object.keys(runtime.values).map((key) => without(key))];
    return new Set(variants.flatMap((v) => [...settingsReadBy(v)]));
  };

  it('sees every setting src/ reads by name: none is read outside the readers the test runs', () => {
    const read = allReads();
    const perEnvironment = new Set([...read].flatMap((k) => /^BRICKLANE_DEV_(.+)$/.exec(k)?.slice(1) ?? []));
    const named = settingNamesInSource(join(repo, 'src'));
    expect(named.length).toBeGreaterThan(20);
    const unseen = named.filter((n) => !(n.perEnvironment ? perEnvironment.has(n.name) : read.has(n.name)));
    expect(unseen).toEqual([]);
  });

  it('finds a setting read straight from process.env, which the readers the test runs would not see', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bricklane-src-'));
    writeFileSync(join(dir, 'x.ts'), "export const x = process.env.BRICKLANE_NEW ?? process.env['OTHER'];\n");
    expect(settingNamesInSource(dir).map((n) => n.name)).toEqual(['BRICKLANE_NEW', 'OTHER']);
    expect(allReads().has('BRICKLANE_NEW')).toBe(false);
  });

  it('names, in the README settings table, every setting the code reads', () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const start = readme.indexOf('## The CLI');
    const table = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const documented = new Set<string>();
    for (const row of table.split('\n').filter((l) => l.startsWith('| `'))) {
      const cell = row.split('|')[1] ?? '';
      let prefix = 'BRICKLANE';
      for (const [, name = ''] of cell.matchAll(/`([^`]+)`/g)) {
        if (name.startsWith('_')) documented.add(`${prefix}${name}`);
        else {
          documented.add(name);
          prefix = /^(BRICKLANE_<ENV>)_/.exec(name)?.[1] ?? 'BRICKLANE';
        }
      }
    }
    expect(documented.size).toBeGreaterThan(20);
    const missing = [...allReads()]
      .map((k) => k.replace(/^BRICKLANE_(DEV|QA|PROD)_/, 'BRICKLANE_<ENV>_'))
      .filter((k) => !documented.has(k));
    expect([...new Set(missing)]).toEqual([]);
  });
});

describe('infra/ azd parameters', () => {
  it('asks azd up for the app registration only; the signing key is generated, the rest has values', () => {
    const sources = Object.fromEntries([...deploy().parameters].map(([name, p]) => [name, p.source]));
    expect(sources).toEqual({
      environmentName: 'parametersFile',
      location: 'parametersFile',
      projectName: 'parametersFile',
      resourceGroupName: 'default',
      bricklaneEnvironments: 'parametersFile',
      maximumInstanceCount: 'default',
      instanceMemoryMB: 'default',
      approvalSigningKeys: 'generated',
      authClientId: 'prompted',
    });
  });

  it('takes the signing keys and the client id from the azd environment when they are set there', () => {
    const keys = `${'n'.repeat(48)},${'o'.repeat(48)}`;
    const deployment = deploy(infra, {
      ...firstAzdUp,
      environment: {
        ...firstAzdUp.environment,
        BRICKLANE_APPROVAL_SIGNING_KEYS: keys,
        BRICKLANE_AUTH_CLIENT_ID: '12345678-1234-1234-1234-123456789012',
      },
      prompts: {},
    });
    const { values } = runtimeEnvironment(deployment);
    expect(values.BRICKLANE_APPROVAL_SIGNING_KEYS).toBe(keys);
    expect(azureFeatures(values).approvalLinks).toBe(true);
    expect(deployment.parameters.get('authClientId')?.value).toBe('12345678-1234-1234-1234-123456789012');
  });

  it('generates a key azd can keep: secure, generated once, long enough, and never with a comma', () => {
    const param = infra.get('main.bicep')?.params.find((p) => p.name === 'approvalSigningKeys');
    expect(param?.decorators.has('secure')).toBe(true);
    expect(param?.hasDefault).toBe(false);
    expect(param?.decorators.get('metadata')?.code.replace(/\s+/g, ' ')).toMatch(
      /azd: \{ type: 'generate' config: \{ length: (\d+) \} \}/,
    );
    const length = Number(/length: (\d+)/.exec(param?.decorators.get('metadata')?.code ?? '')?.[1]);
    expect(length).toBeGreaterThanOrEqual(32);
    expect(AZD_ALPHABET).not.toContain(',');
  });
});

describe('infra/ App Service Authentication', () => {
  const deployment = deploy();
  const auth = (): BicepResource => {
    const found = [...infra.values()].flatMap((f) =>
      f.resources.filter(
        (r) =>
          r.type === 'Microsoft.Web/sites/config' && property(r.body, ['name'])?.code === "'authsettingsV2'",
      ),
    );
    expect(found).toHaveLength(1);
    return found[0] as BicepResource;
  };

  it('is enabled with Entra ID on the Function App, and lets anonymous requests through', () => {
    const settings = deployment
      .resources()
      .find((r) => r.type === 'Microsoft.Web/sites/config' && r.name === 'authsettingsV2');
    const site = deployment.resources().find((r) => r.type === 'Microsoft.Web/sites' && !r.existing);
    expect(settings?.parentName).toBe(site?.name);
    expect(settings?.properties).toMatchObject({
      platform: { enabled: true },
      // Webhooks, function-key routes and the Event Grid blob webhook carry no user sign-in.
      globalValidation: { requireAuthentication: false, unauthenticatedClientAction: 'AllowAnonymous' },
      identityProviders: {
        azureActiveDirectory: {
          enabled: true,
          registration: {
            clientId: firstAzdUp.prompts.authClientId,
            openIdIssuer: `https://login.microsoftonline.com/${firstAzdUp.tenantId}/v2.0`,
          },
        },
      },
    });
    // No client secret setting: nothing to rotate or leak (the ID token comes by the implicit grant).
    expect(JSON.stringify(settings?.properties)).not.toMatch(/clientSecret/);
  });

  it('is declared after the app settings, so that two writes to the site configuration do not race', () => {
    expect(auth().symbol).toBeDefined();
    const module = infra.get('main.bicep')?.modules.find((m) => m.path === 'app/appAuth.bicep');
    expect(module && property(module.body, ['dependsOn'])?.code.replace(/\s+/g, ' ')).toBe('[ appSettings ]');
  });

  it('is what turns verified approvers on: disabled, the feature probe says off', () => {
    const edited = new Map(infra);
    const text = readFileSync(join(infraDir, 'app/appAuth.bicep'), 'utf8');
    const off = text.replace(/platform: \{\n(\s+)enabled: true/, 'platform: {\n$1enabled: false');
    expect(off).not.toBe(text);
    edited.set('app/appAuth.bicep', new BicepFile('app/appAuth.bicep', off));
    expect(azureFeatures(runtimeEnvironment(deploy(edited)).values).verifiedApprovers).toBe(false);
  });
});

describe('infra/ for a ring (bricklaneEnvironments[].targets)', () => {
  const OTHER = '66666666-7777-8888-9999-000000000000';
  const parameters = JSON.parse(parametersJson) as {
    parameters: { bricklaneEnvironments: { value: { name: string; targets: unknown[] }[] } };
  };
  for (const env of parameters.parameters.bricklaneEnvironments.value) {
    if (env.name !== 'prod') continue;
    env.targets = [
      {
        name: 'weu',
        subscriptionId: '${AZURE_SUBSCRIPTION_ID}',
        resourceGroupName: 'rg-prod-weu',
        location: 'westeurope',
      },
      { name: 'eus', subscriptionId: OTHER, resourceGroupName: 'rg-prod-eus', location: 'eastus' },
    ];
  }
  const deployment = deployInfra(infra, JSON.stringify(parameters), firstAzdUp);

  it("sets the ring's targets and each target's placement, and the code reads them as that ring", () => {
    const settings = appSettingsOf(deployment);
    expect(settings.BRICKLANE_PROD_TARGETS).toBe('weu,eus');
    expect(settings.BRICKLANE_PROD_EUS_SUBSCRIPTION_ID).toBe(OTHER);
    expect(settings.BRICKLANE_PROD_EUS_RESOURCE_GROUP).toBe('rg-prod-eus');
    expect(settings.BRICKLANE_QA_TARGETS).toBeUndefined();
    const { values, problems } = runtimeEnvironment(deployment);
    expect(problems).toEqual([]);
    expect(settingsProblems(values)).toEqual([]);
    const read = settingsReadBy(values);
    expect(Object.keys(settings).filter((key) => key.startsWith('BRICKLANE_') && !read.has(key))).toEqual([]);
  });

  it("grants the identity its roles on each target's resource group, in each target's subscription", () => {
    const subscription = firstAzdUp.environment.AZURE_SUBSCRIPTION_ID ?? '';
    expect(deployment.main.evaluate('environmentPlacements')).toEqual([
      {
        name: 'dev',
        subscriptionId: subscription,
        resourceGroupName: 'Databricks-MyProject-Dev',
        location: 'swedencentral',
      },
      {
        name: 'qa',
        subscriptionId: subscription,
        resourceGroupName: 'Databricks-MyProject-QA',
        location: 'swedencentral',
      },
      {
        name: 'prod-weu',
        subscriptionId: subscription,
        resourceGroupName: 'rg-prod-weu',
        location: 'westeurope',
      },
      { name: 'prod-eus', subscriptionId: OTHER, resourceGroupName: 'rg-prod-eus', location: 'eastus' },
    ]);
    expect(deployment.main.evaluate('environmentSubscriptionIds')).toEqual([subscription, OTHER]);
  });
});
