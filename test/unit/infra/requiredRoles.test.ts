import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUIRED_ROLES, type RequiredRole } from '../../../src/azure/requiredRoles';
import { auditRoleGrants, auditStructure, GRANT_SITES, type InfraFiles } from './auditInfra';
import { BicepFile, property, stringLiterals, type BicepResource } from './BicepFile';

const repo = join(__dirname, '..', '..', '..');
const infraDir = join(repo, 'infra');

function readInfra(): Map<string, BicepFile> {
  const files = new Map<string, BicepFile>();
  for (const entry of readdirSync(infraDir, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.bicep')) continue;
    const path = relative(infraDir, join(infraDir, entry)).split(sep).join('/');
    files.set(path, new BicepFile(path, readFileSync(join(infraDir, entry), 'utf8')));
  }
  return files;
}

/** The infra files with one file's text changed, for the cases that must fail. */
function withEdit(files: InfraFiles, path: string, edit: (text: string) => string): Map<string, BicepFile> {
  const text = readFileSync(join(infraDir, path), 'utf8');
  const edited = edit(text);
  expect(edited, `the edit of ${path} changed nothing`).not.toBe(text);
  return new Map([...files, [path, new BicepFile(path, edited)]]);
}

/** Removes the resource declaration that starts with `header` (up to its closing brace at column 0). */
function removeResource(text: string, header: string): string {
  const start = text.indexOf(header);
  if (start < 0) return text;
  const end = text.indexOf('\n}\n', start);
  return text.slice(0, start) + text.slice(end + 3);
}

const infra = readInfra();

function file(path: string): BicepFile {
  const found = infra.get(path);
  if (!found) throw new Error(`infra/${path} is missing`);
  return found;
}

function onlyResource(path: string, type: string): BicepResource {
  const resources = file(path).resources.filter((r) => r.type === type && !r.existing);
  expect(resources, `${type} resources in infra/${path}`).toHaveLength(1);
  return resources[0] as BicepResource;
}

function value(resource: BicepResource, path: readonly string[]): string | undefined {
  return property(resource.body, path)?.code;
}

describe('REQUIRED_ROLES', () => {
  it('declares each role once per scope, with a well-formed definition', () => {
    const declarations = REQUIRED_ROLES.map((r) => `${r.name} @ ${r.scope}`);
    expect(new Set(declarations).size).toBe(REQUIRED_ROLES.length);
    for (const role of REQUIRED_ROLES) {
      if (role.kind === 'builtIn') {
        expect(role.roleDefinitionId, role.name).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        );
      } else {
        expect(role.actions.length, role.name).toBeGreaterThan(0);
        expect(
          role.actions.every((a) => !a.includes('*')),
          `${role.name} uses no wildcard`,
        ).toBe(true);
      }
      expect(role.why.length, role.name).toBeGreaterThan(20);
    }
    // One name, one definition: a role declared for two scopes is the same role.
    const ids = new Map<string, string>();
    for (const role of REQUIRED_ROLES) {
      const id = role.kind === 'builtIn' ? role.roleDefinitionId : role.roleDefinitionSeed;
      expect(ids.get(role.name) ?? id, role.name).toBe(id);
      ids.set(role.name, id);
    }
    expect(new Set(ids.values()).size).toBe(ids.size);
  });

  it('covers what the app does: resource groups, workspace, secrets, Durable storage, telemetry', () => {
    const byName = (name: string): RequiredRole | undefined => REQUIRED_ROLES.find((r) => r.name === name);
    expect(byName('Contributor')?.scope).toBe('environmentResourceGroup');
    expect(byName('Key Vault Secrets User')?.scope).toBe('environmentResourceGroup');
    expect(
      REQUIRED_ROLES.filter((r) => r.scope === 'appStorage')
        .map((r) => r.name)
        .sort(),
    ).toEqual([
      'Storage Blob Data Owner',
      'Storage Queue Data Contributor',
      'Storage Table Data Contributor',
    ]);
    expect(byName('Monitoring Metrics Publisher')?.scope).toBe('appInsights');
    const subscriptionWide = REQUIRED_ROLES.filter((r) => r.scope === 'environmentSubscription');
    // Least privilege: nothing built-in (Contributor, Owner) on a whole subscription.
    expect(subscriptionWide.map((r) => r.kind)).toEqual(['custom']);
  });
});

describe('infra/ role grants', () => {
  it('grants every role of REQUIRED_ROLES, on its scope, and nothing else', () => {
    expect(auditRoleGrants(infra, REQUIRED_ROLES)).toEqual([]);
  });

  it('fails when a declared role is not granted', () => {
    const edited = withEdit(infra, 'app/appRoles.bicep', (t) =>
      removeResource(t, "resource storageQueueDataContributor 'Microsoft.Authorization/roleAssignments"),
    );
    expect(auditRoleGrants(edited, REQUIRED_ROLES)).toEqual([
      expect.stringContaining(
        'Storage Queue Data Contributor (scope appStorage) is declared in REQUIRED_ROLES but',
      ),
    ]);
  });

  it('fails when infra grants a role the code does not declare', () => {
    const ownerRoleId = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
    const edited = withEdit(infra, 'environment/environmentResourceGroupRoles.bicep', (t) =>
      t.replace(/var contributorRoleId = '[^']+'/, `var contributorRoleId = '${ownerRoleId}'`),
    );
    const problems = auditRoleGrants(edited, REQUIRED_ROLES);
    expect(problems).toContainEqual(expect.stringContaining(`grants ${ownerRoleId}, which REQUIRED_ROLES`));
    expect(problems).toContainEqual(
      expect.stringContaining('Contributor (scope environmentResourceGroup) is declared'),
    );
  });

  it('fails when a role is granted on a wider scope than declared', () => {
    const edited = withEdit(infra, 'app/appRoles.bicep', (t) =>
      t.replace(
        'guid(applicationInsights.id, principalId, monitoringMetricsPublisherRoleId)\n  scope: applicationInsights',
        'guid(applicationInsights.id, principalId, monitoringMetricsPublisherRoleId)\n  scope: storageAccount',
      ),
    );
    expect(auditRoleGrants(edited, REQUIRED_ROLES)).toContainEqual(
      expect.stringContaining('scoped to storageAccount instead of applicationInsights'),
    );
  });

  it('fails when the custom role allows more than declared', () => {
    const edited = withEdit(infra, 'environment/environmentSubscription.bicep', (t) =>
      t.replace(
        "'Microsoft.Resources/subscriptions/resourceGroups/write'",
        "'Microsoft.Resources/subscriptions/resourceGroups/write'\n          'Microsoft.Resources/subscriptions/resourceGroups/delete'",
      ),
    );
    expect(auditRoleGrants(edited, REQUIRED_ROLES)).toEqual([
      expect.stringMatching(/actions are \[.*delete.*\], REQUIRED_ROLES declares/),
    ]);
  });

  it('fails when a grant names its role through something the audit cannot resolve', () => {
    const edited = withEdit(infra, 'app/appRoles.bicep', (t) =>
      t.replace(
        "roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwnerRoleId)",
        'roleDefinitionId: someParam',
      ),
    );
    expect(auditRoleGrants(edited, REQUIRED_ROLES)).toContainEqual(
      expect.stringContaining('cannot tell which one role it grants'),
    );
  });

  it('grants to the Function App identity: its principalId reaches every grant module', () => {
    const main = file('main.bicep');
    const given = main.modules.map(
      (m) => [m.path, property(m.body, ['params', 'principalId'])?.code] as const,
    );
    expect(given.filter(([, principalId]) => principalId !== undefined)).toEqual([
      ['app/appRoles.bicep', 'app.outputs.principalId'],
      ['environment/environmentSubscription.bicep', 'app.outputs.principalId'],
      ['environment/environmentResourceGroup.bicep', 'app.outputs.principalId'],
    ]);
    const [rolesModule] = file('environment/environmentResourceGroup.bicep').modules;
    expect(rolesModule?.path).toBe('environmentResourceGroupRoles.bicep');
    expect(rolesModule && property(rolesModule.body, ['params', 'principalId'])?.code).toBe('principalId');
    expect(file('app/app.bicep').code).toMatch(
      /^output principalId string = functionApp\.identity\.principalId$/m,
    );
  });

  it('reaches each environment subscription and resource group through scoped modules', () => {
    const main = file('main.bicep');
    const scopeOf = (path: string): string | undefined =>
      property(main.modules.find((m) => m.path === path)?.body ?? { code: '', masked: '' }, ['scope'])?.code;
    expect(scopeOf('environment/environmentSubscription.bicep')).toBe('subscription(subscriptionId)');
    expect(scopeOf('environment/environmentResourceGroup.bicep')).toBe('subscription(env.subscriptionId)');
    expect(scopeOf('app/appRoles.bicep')).toBe('appResourceGroup');
    const rolesModule = file('environment/environmentResourceGroup.bicep').modules[0];
    expect(property(rolesModule?.body ?? { code: '', masked: '' }, ['scope'])?.code).toBe(
      'environmentResourceGroup',
    );
  });
});

describe('infra/ Function App', () => {
  const app = 'app/app.bicep';

  it('runs on Flex Consumption (FC1) with Node 22 and a system-assigned identity', () => {
    const plan = onlyResource(app, 'Microsoft.Web/serverfarms');
    expect(value(plan, ['sku', 'name'])).toBe("'FC1'");
    expect(value(plan, ['sku', 'tier'])).toBe("'FlexConsumption'");
    expect(value(plan, ['properties', 'reserved'])).toBe('true');

    const site = onlyResource(app, 'Microsoft.Web/sites');
    expect(value(site, ['kind'])).toBe("'functionapp,linux'");
    expect(value(site, ['identity', 'type'])).toBe("'SystemAssigned'");
    expect(value(site, ['properties', 'serverFarmId'])).toBe(`${plan.symbol}.id`);
    expect(value(site, ['properties', 'functionAppConfig', 'runtime', 'name'])).toBe("'node'");
    expect(value(site, ['properties', 'functionAppConfig', 'runtime', 'version'])).toBe("'22'");
    expect(
      value(site, ['properties', 'functionAppConfig', 'scaleAndConcurrency', 'maximumInstanceCount']),
    ).toBeDefined();
    const deployment = ['properties', 'functionAppConfig', 'deployment', 'storage'];
    expect(value(site, [...deployment, 'type'])).toBe("'blobContainer'");
    expect(value(site, [...deployment, 'authentication', 'type'])).toBe("'SystemAssignedIdentity'");
    expect(stringLiterals(value(site, ['tags']) ?? '')).toEqual(
      expect.arrayContaining(['azd-service-name', 'api']),
    );
  });

  it('uses storage without shared keys, with the bundles, ledger and package containers', () => {
    const storage = onlyResource(app, 'Microsoft.Storage/storageAccounts');
    expect(value(storage, ['properties', 'allowSharedKeyAccess'])).toBe('false');
    expect(value(storage, ['properties', 'allowBlobPublicAccess'])).toBe('false');
    const containers = file(app).resources.filter(
      (r) => r.type === 'Microsoft.Storage/storageAccounts/blobServices/containers',
    );
    const names = containers.map((c) => value(c, ['name']));
    expect(names).toEqual(
      expect.arrayContaining(["'bundles'", "'bricklane-ledger'", 'deploymentContainerName']),
    );
    const site = onlyResource(app, 'Microsoft.Web/sites');
    expect(value(site, ['properties', 'functionAppConfig', 'deployment', 'storage', 'value'])).toContain(
      'deploymentContainer.name',
    );
  });

  it('sets identity-based host storage and Entra-authenticated Application Insights', () => {
    const settingsFile = file('app/appSettings.bicep');
    const text = settingsFile.vars.get('infraSettings')?.code ?? '';
    expect(text).toMatch(/^\s*AzureWebJobsStorage__accountName: storageAccount\.name$/m);
    expect(text).toMatch(/^\s*APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'$/m);
    expect(text).toMatch(/^\s*BRICKLANE_ENVIRONMENTS: /m);
    // No key-based connection string, and nothing Flex Consumption rejects.
    for (const forbidden of [
      'AzureWebJobsStorage:',
      'FUNCTIONS_EXTENSION_VERSION',
      'FUNCTIONS_WORKER_RUNTIME',
      'WEBSITE_RUN_FROM_PACKAGE',
    ]) {
      expect(settingsFile.code, forbidden).not.toContain(forbidden);
      expect(file(app).code, forbidden).not.toContain(forbidden);
    }
    const insights = onlyResource(app, 'Microsoft.Insights/components');
    expect(value(insights, ['properties', 'DisableLocalAuth'])).toBe('true');
    const config = onlyResource('app/appSettings.bicep', 'Microsoft.Web/sites/config');
    expect(value(config, ['name'])).toBe("'appsettings'");
    // Merged with the current settings, so portal-set secrets survive a provision.
    expect(value(config, ['properties'])).toMatch(
      /^union\(list\('\$\{functionApp\.id\}\/config\/appsettings', '[\d-]+'\)\.properties, infraSettings\)$/,
    );
  });
});

describe('infra/ Event Grid blob trigger', () => {
  const hook = 'hooks/bundleSubscription.bicep';

  it('has a system topic on the app storage account', () => {
    const topic = onlyResource('app/app.bicep', 'Microsoft.EventGrid/systemTopics');
    expect(value(topic, ['properties', 'source'])).toBe('storageAccount.id');
    expect(value(topic, ['properties', 'topicType'])).toBe("'Microsoft.Storage.StorageAccounts'");
  });

  it('subscribes startReleaseFromBlob to blobs created in the bundles container', () => {
    const subscription = onlyResource(hook, 'Microsoft.EventGrid/systemTopics/eventSubscriptions');
    expect(value(subscription, ['properties', 'filter', 'subjectBeginsWith'])).toBe(
      "'/blobServices/default/containers/bundles/'",
    );
    expect(stringLiterals(value(subscription, ['properties', 'filter', 'includedEventTypes']) ?? '')).toEqual(
      ['Microsoft.Storage.BlobCreated'],
    );
    expect(value(subscription, ['properties', 'destination', 'endpointType'])).toBe("'WebHook'");
    const endpoint = value(subscription, ['properties', 'destination', 'properties', 'endpointUrl']) ?? '';
    const url = file(hook).vars.get(endpoint)?.code ?? endpoint;
    expect(url).toContain(
      '/runtime/webhooks/blobs?functionName=Host.Functions.startReleaseFromBlob&code=${blobsExtensionKey}',
    );
    expect(file(hook).vars.get('blobsExtensionKey')?.code).toMatch(
      /^listKeys\('\$\{functionApp\.id\}\/host\/default', '[\d-]+'\)\.systemKeys\.blobs_extension$/,
    );
  });

  it('is applied after code deploy by the azd postdeploy hook', () => {
    const azureYaml = readFileSync(join(repo, 'azure.yaml'), 'utf8');
    expect(azureYaml).toMatch(/^ {2}postdeploy:\n(?: {4}.*\n)*? {6}run: infra\/hooks\/postdeploy\.sh$/m);
    expect(azureYaml).toMatch(/^ {2}postdeploy:\n(?: {4}.*\n)*? {6}run: infra\/hooks\/postdeploy\.ps1$/m);
    for (const script of ['postdeploy.sh', 'postdeploy.ps1']) {
      expect(readFileSync(join(infraDir, 'hooks', script), 'utf8'), script).toContain(
        'infra/hooks/bundleSubscription.bicep',
      );
    }
  });
});

describe('infra/ structure', () => {
  it('parses, and every module path, param and output it uses exists', () => {
    expect(auditStructure(infra).problems).toEqual([]);
  });

  it('reaches every Bicep file from main.bicep, except the post-deploy one', () => {
    const { reachable } = auditStructure(infra);
    expect([...infra.keys()].filter((p) => !reachable.has(p))).toEqual(['hooks/bundleSubscription.bicep']);
    for (const site of Object.values(GRANT_SITES)) expect(reachable.has(site.file), site.file).toBe(true);
  });

  it('reports unbalanced brackets, broken strings and missing modules', () => {
    const broken = new Map(infra);
    broken.set(
      'main.bicep',
      new BicepFile('main.bicep', "var a = {\n  b: 'c\n}\nmodule m 'missing.bicep' = {\n  name: 'm'\n}\n"),
    );
    broken.set('x.bicep', new BicepFile('x.bicep', 'var a = [\n  1\n'));
    const { problems } = auditStructure(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        "main.bicep: line 2: a '...' string does not end on its line",
        'main.bicep module m: missing.bicep does not exist (infra/missing.bicep)',
        "x.bicep: line 1: ']' is missing for the bracket opened here",
      ]),
    );
  });

  it('reads interpolations that hold strings, and escaped quotes', () => {
    const bicep = new BicepFile(
      't.bicep',
      "var u = 'https://${f(  '${x}/y' , 'z')}/w' // a comment with { and '\nvar d = 'it\\'s'\nvar o = {\n  k: 'v'\n}\n",
    );
    expect(bicep.problems).toEqual([]);
    expect(bicep.vars.get('u')?.code).toBe("'https://${f(  '${x}/y' , 'z')}/w'");
    expect(property(bicep.vars.get('o') ?? { code: '', masked: '' }, ['k'])?.code).toBe("'v'");
  });

  it('has azd parameters for main.bicep', () => {
    const parameters = JSON.parse(readFileSync(join(infraDir, 'main.parameters.json'), 'utf8')) as {
      parameters: Record<string, { value: unknown }>;
    };
    const main = file('main.bicep');
    const declared = main.params.map((p) => p.name);
    expect(Object.keys(parameters.parameters).filter((n) => !declared.includes(n))).toEqual([]);
    expect(
      main.params
        .filter((p) => !p.hasDefault)
        .map((p) => p.name)
        .filter((n) => !(n in parameters.parameters)),
    ).toEqual([]);
    expect(parameters.parameters.environmentName?.value).toBe('${AZURE_ENV_NAME}');
    expect(parameters.parameters.location?.value).toBe('${AZURE_LOCATION}');
    expect(main.targetScope).toBe('subscription');
  });

  it('declares the azd service api as a TypeScript function app at the top level', () => {
    const azureYaml = readFileSync(join(repo, 'azure.yaml'), 'utf8');
    expect(azureYaml).toMatch(
      /^services:\n {2}api:\n {4}project: \.\n {4}language: ts\n {4}host: function$/m,
    );
  });
});
