// Test infrastructure: the Azure emulator driven by the real @azure/* SDK clients (azure-contract.md).
// These pin the requests the SDKs make and the answers they accept, so src/azure can rely on the emulator.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AzureDatabricksManagementClient } from '@azure/arm-databricks';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AzureEmulator } from './AzureEmulator';
import { DatabricksAadValidator } from './DatabricksAadValidator';
import { DatabricksEmulator } from './DatabricksEmulator';

const subscriptionId = '11111111-2222-4333-8444-555555555555';
const armScope = 'https://management.azure.com/.default';
const databricksScope = `${DatabricksAadValidator.audience}/.default`;
const vaultApiVersion = '2023-07-01';

let databricks: DatabricksEmulator;
let azure: AzureEmulator;
let credential: ManagedIdentityCredential;
let rgCounter = 0;

beforeAll(async () => {
  databricks = await DatabricksEmulator.start({ rateLimits: false });
  azure = await AzureEmulator.start({ databricks });
  // Read by @azure/identity when the credential is constructed; MSAL then caches the token process-wide.
  process.env.IDENTITY_ENDPOINT = azure.identityEndpoint;
  process.env.IDENTITY_HEADER = azure.identityHeader;
  credential = new ManagedIdentityCredential();
});
afterAll(async () => {
  delete process.env.IDENTITY_ENDPOINT;
  delete process.env.IDENTITY_HEADER;
  await azure.stop();
  await databricks.stop();
});
beforeEach(() => {
  azure.resetCounters();
  azure.clearRequestLog();
});

/** A fresh resource group name per test, so tests do not see each other's resources. */
function newGroup(): string {
  rgCounter += 1;
  return `Databricks-Test-${rgCounter}`;
}

function resourcesClient(): ResourceManagementClient {
  return new ResourceManagementClient(credential, subscriptionId, {
    endpoint: azure.armEndpoint,
  });
}

function databricksClient(): AzureDatabricksManagementClient {
  return new AzureDatabricksManagementClient(credential, subscriptionId, {
    endpoint: azure.armEndpoint,
  });
}

/** Log lines without the host, for readable assertions. */
function requests(): string[] {
  return azure.requestLog().map((line) => line.replace(/https:\/\/127\.0\.0\.1:\d+/, ''));
}

function subscriptionScope(): string {
  return `/subscriptions/${subscriptionId}`;
}

describe('managed identity and ARM resource groups', () => {
  it('issues App Service managed-identity tokens that ARM accepts', async () => {
    const token = await credential.getToken(armScope);
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3000_000);
    expect(requests()).toEqual([
      '200 GET /msi/token?api-version=2019-08-01&resource=https%3A%2F%2Fmanagement.azure.com',
    ]);
    const claims = JSON.parse(Buffer.from(token.token.split('.')[1] ?? '', 'base64url').toString()) as {
      aud: string;
      oid: string;
      tid: string;
    };
    expect(claims).toMatchObject({
      aud: 'https://management.azure.com',
      oid: azure.managedIdentityPrincipalId,
      tid: azure.tenantId,
    });
  });

  it('creates, reads and checks resource groups, counting writes', async () => {
    azure.assignRole(azure.managedIdentityPrincipalId, 'Contributor', subscriptionScope());
    const name = newGroup();
    const client = resourcesClient();
    expect((await client.resourceGroups.checkExistence(name)).body).toBe(false);
    const created = await client.resourceGroups.createOrUpdate(name, {
      location: 'West Europe',
      tags: { owner: 'bricklane' },
    });
    expect(created).toMatchObject({
      id: `${subscriptionScope()}/resourceGroups/${name}`,
      name,
      location: 'westeurope',
      tags: { owner: 'bricklane' },
      properties: { provisioningState: 'Succeeded' },
    });
    expect((await client.resourceGroups.get(name.toUpperCase())).name).toBe(name);
    expect((await client.resourceGroups.checkExistence(name)).body).toBe(true);
    await expect(client.resourceGroups.get('missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceGroupNotFound',
    });
    const counters = azure.counters().arm;
    expect(counters).toMatchObject({
      writes: 1,
      byOperation: {
        'Microsoft.Resources/subscriptions/resourceGroups/write': 1,
        'Microsoft.Resources/subscriptions/resourceGroups/read': 4,
      },
    });
    expect(counters.total).toBe(5);
    expect(requests().filter((line) => !line.includes('/msi/token'))).toEqual([
      `404 HEAD /subscriptions/${subscriptionId}/resourcegroups/${name}?api-version=2025-04-01`,
      `201 PUT /subscriptions/${subscriptionId}/resourcegroups/${name}?api-version=2025-04-01`,
      `200 GET /subscriptions/${subscriptionId}/resourcegroups/${name.toUpperCase()}?api-version=2025-04-01`,
      `204 HEAD /subscriptions/${subscriptionId}/resourcegroups/${name}?api-version=2025-04-01`,
      `404 GET /subscriptions/${subscriptionId}/resourcegroups/missing?api-version=2025-04-01`,
    ]);
  });

  it('refuses writes without a role with AuthorizationFailed, and accepts the custom group role', async () => {
    const otherSubscription = '99999999-2222-4333-8444-555555555555';
    const client = new ResourceManagementClient(credential, otherSubscription, {
      endpoint: azure.armEndpoint,
    });
    const error = await client.resourceGroups
      .createOrUpdate('rg', { location: 'westeurope' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    expect((error as Error).message).toBe(
      `The client '${azure.managedIdentityPrincipalId}' with object id '${azure.managedIdentityPrincipalId}' ` +
        "does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourceGroups/write' " +
        `over scope '/subscriptions/${otherSubscription}/resourceGroups/rg' or the scope is invalid. If access ` +
        'was recently granted, please refresh your credentials.',
    );
    azure.assignRole(
      azure.managedIdentityPrincipalId,
      `Bricklane Resource Group Writer (${otherSubscription})`,
      `/subscriptions/${otherSubscription}`,
    );
    expect((await client.resourceGroups.createOrUpdate('rg', { location: 'westeurope' })).name).toBe('rg');
    // The custom role creates groups, nothing inside them.
    const workspaces = new AzureDatabricksManagementClient(credential, otherSubscription, {
      endpoint: azure.armEndpoint,
    });
    await expect(
      workspaces.workspaces.beginCreateOrUpdateAndWait('rg', 'ws', {
        location: 'westeurope',
        sku: { name: 'premium' },
        computeMode: 'Hybrid',
        managedResourceGroupId: `/subscriptions/${otherSubscription}/resourceGroups/managed`,
      }),
    ).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    expect(azure.counters().arm.writes).toBe(1);
  });

  it('rejects a wrong identity header and requests without a valid token', async () => {
    const wrong = await fetch(
      `${azure.identityEndpoint}?api-version=2019-08-01&resource=https://management.azure.com`,
      {
        headers: { 'x-identity-header': 'wrong' },
      },
    );
    expect(wrong.status).toBe(401);
    const url = `${azure.armEndpoint}/subscriptions/${subscriptionId}/resourcegroups/x?api-version=2025-04-01`;
    expect(await (await fetch(url)).json()).toMatchObject({ error: { code: 'AuthenticationFailed' } });
    const forged = await fetch(url, { headers: { authorization: 'Bearer a.b.c' } });
    expect(forged.status).toBe(401);
    const vaultToken = await credential.getToken('https://vault.azure.net/.default');
    const wrongAudience = await fetch(url, { headers: { authorization: `Bearer ${vaultToken.token}` } });
    expect(await wrongAudience.json()).toMatchObject({
      error: { code: 'InvalidAuthenticationTokenAudience' },
    });
  });
});

describe('Databricks workspaces through ARM', () => {
  it('creates a workspace with the async-operation protocol and serves it in the Databricks emulator', async () => {
    azure.assignRole(azure.managedIdentityPrincipalId, 'Contributor', subscriptionScope());
    const group = newGroup();
    await resourcesClient().resourceGroups.createOrUpdate(group, { location: 'westeurope' });
    const client = databricksClient();
    await expect(client.workspaces.get(group, 'Databricks-MyProject-Dev')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    azure.clearRequestLog();
    azure.resetCounters();
    const parameters = {
      location: 'westeurope',
      sku: { name: 'premium' },
      computeMode: 'Hybrid',
      managedResourceGroupId: `${subscriptionScope()}/resourceGroups/databricks-rg-${group}`,
    };
    // core-lro sleeps 2 s between polls whatever Retry-After says; the interval is the caller's to set.
    const workspace = await client.workspaces.beginCreateOrUpdateAndWait(
      group,
      'Databricks-MyProject-Dev',
      parameters,
      {
        updateIntervalInMs: 0,
      },
    );
    expect(workspace).toMatchObject({
      id: `${subscriptionScope()}/resourceGroups/${group}/providers/Microsoft.Databricks/workspaces/Databricks-MyProject-Dev`,
      provisioningState: 'Succeeded',
      // The workspace's own origin, a host:port without scheme or path, as ARM's adb-<id>.<n>.azuredatabricks.net.
      workspaceUrl: databricks.workspaceUrl('databricks-myproject-dev').replace('https://', ''),
    });
    expect(workspace.workspaceUrl).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(workspace.workspaceId).toMatch(/^\d{16}$/);
    expect(databricks.workspaceNames()).toContain('databricks-myproject-dev');
    const path = `/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/Microsoft.Databricks/workspaces/Databricks-MyProject-Dev`;
    const log = requests();
    expect(log[0]).toBe(`201 PUT ${path}?api-version=2026-01-01`);
    expect(
      log.slice(1, 3).every((line) => /^200 GET .*\/operationStatuses\/[-0-9a-f]+\?api-version=/.test(line)),
    ).toBe(true);
    expect(log.slice(3)).toEqual([`200 GET ${path}?api-version=2026-01-01`]);
    expect(azure.counters().arm).toMatchObject({ total: 4, writes: 1 });

    // A second PUT is an in-place update (200, no operation), still a write.
    azure.clearRequestLog();
    await client.workspaces.beginCreateOrUpdateAndWait(group, 'Databricks-MyProject-Dev', parameters);
    expect(requests()).toEqual([`200 PUT ${path}?api-version=2026-01-01`]);
    expect(azure.snapshot().workspaces).toContainEqual(
      expect.objectContaining({ databricksName: 'databricks-myproject-dev', provisioningState: 'Succeeded' }),
    );
  });
});

describe('Serverless workspaces', () => {
  it('creates them without a managed resource group, and refuses one', async () => {
    azure.assignRole(azure.managedIdentityPrincipalId, 'Contributor', subscriptionScope());
    const group = newGroup();
    await resourcesClient().resourceGroups.createOrUpdate(group, { location: 'westeurope' });
    const client = databricksClient();
    await expect(
      client.workspaces.beginCreateOrUpdateAndWait(group, 'Serverless-With-Group', {
        location: 'westeurope',
        sku: { name: 'premium' },
        computeMode: 'Serverless',
        managedResourceGroupId: `${subscriptionScope()}/resourceGroups/managed-${group}`,
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
    azure.setWorkspaceInProgressPolls(0);
    try {
      const started = Date.now();
      const workspace = await client.workspaces.beginCreateOrUpdateAndWait(group, 'Serverless-Dev', {
        location: 'westeurope',
        sku: { name: 'premium' },
        computeMode: 'Serverless',
      });
      // No InProgress answer, so the poller never sleeps.
      expect(Date.now() - started).toBeLessThan(1500);
      expect(workspace).toMatchObject({ computeMode: 'Serverless', provisioningState: 'Succeeded' });
      expect(workspace.managedResourceGroupId).toBeUndefined();
    } finally {
      azure.setWorkspaceInProgressPolls(1);
    }
  });
});

describe('Key Vault', () => {
  let vaultUri: string;
  let group: string;
  const vaultName = 'KeyVault-MyProject-Dev';

  beforeAll(async () => {
    azure.assignRole(azure.managedIdentityPrincipalId, 'Contributor', subscriptionScope());
    group = newGroup();
    await resourcesClient().resourceGroups.createOrUpdate(group, { location: 'westeurope' });
  });

  it('creates and reads a vault through the generic resources API', async () => {
    const id = `${subscriptionScope()}/resourceGroups/${group}/providers/Microsoft.KeyVault/vaults/${vaultName}`;
    const client = resourcesClient();
    await expect(client.resources.getById(id, vaultApiVersion)).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    const created = await client.resources.beginCreateOrUpdateByIdAndWait(id, vaultApiVersion, {
      location: 'westeurope',
      properties: {
        tenantId: azure.tenantId,
        sku: { family: 'A', name: 'standard' },
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        enablePurgeProtection: true,
        softDeleteRetentionInDays: 90,
      },
    });
    expect(created.properties).toMatchObject({
      provisioningState: 'Succeeded',
      enableRbacAuthorization: true,
    });
    const read = await client.resources.getById(id, vaultApiVersion);
    vaultUri = (read.properties as { vaultUri: string }).vaultUri;
    expect(vaultUri).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(vaultUri).not.toBe(`${azure.armEndpoint}/`);
    expect(azure.counters().arm.byOperation).toMatchObject({
      'Microsoft.KeyVault/vaults/write': 1,
      'Microsoft.KeyVault/vaults/read': 2,
    });
  });

  it('rejects vault names Azure rejects', async () => {
    const id = `${subscriptionScope()}/resourceGroups/${group}/providers/Microsoft.KeyVault/vaults/KeyVault-MyLongProjectName-Dev`;
    await expect(
      resourcesClient().resources.beginCreateOrUpdateByIdAndWait(id, vaultApiVersion, {
        location: 'westeurope',
        properties: { tenantId: azure.tenantId, sku: { family: 'A', name: 'standard' } },
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'VaultNameNotValid' });
  });

  it('serves secrets through the 401 challenge, with RBAC', async () => {
    azure.setSecret(vaultName, 'databricks-sp-client-id', 'the-client-id');
    const client = new SecretClient(vaultUri, credential, { disableChallengeResourceVerification: true });
    // Contributor on the subscription does not include secret values.
    await expect(client.getSecret('databricks-sp-client-id')).rejects.toMatchObject({
      statusCode: 403,
      code: 'Forbidden',
    });
    azure.assignRole(
      azure.managedIdentityPrincipalId,
      'Key Vault Secrets User',
      `${subscriptionScope()}/resourceGroups/${group}`,
    );
    azure.resetCounters();
    azure.clearRequestLog();
    // A new client starts with the unauthenticated request that earns the challenge.
    const fresh = new SecretClient(vaultUri, credential, { disableChallengeResourceVerification: true });
    const secret = await fresh.getSecret('databricks-sp-client-id');
    expect(secret.value).toBe('the-client-id');
    expect(secret.properties.id).toMatch(
      new RegExp(`^${vaultUri}secrets/databricks-sp-client-id/[0-9a-f]{32}$`),
    );
    await expect(fresh.getSecret('nothing-here')).rejects.toMatchObject({
      statusCode: 404,
      code: 'SecretNotFound',
    });
    // The managed-identity token for the vault is cached from the 403 above (same process, same resource).
    expect(requests()).toEqual([
      '401 GET /secrets/databricks-sp-client-id/?api%2Dversion=2026-04-01',
      '200 GET /secrets/databricks-sp-client-id/?api%2Dversion=2026-04-01',
      '404 GET /secrets/nothing-here/?api%2Dversion=2026-04-01',
    ]);
    expect(azure.counters().keyVault).toEqual({ total: 3, writes: 0, reads: 2 });
    // Officers may write; users may not.
    await expect(client.setSecret('written', 'x')).rejects.toMatchObject({ statusCode: 403 });
    azure.assignRole(
      azure.managedIdentityPrincipalId,
      'Key Vault Secrets Officer',
      azure.vault(vaultName).id,
    );
    await client.setSecret('written', 'x');
    expect(azure.vault(vaultName).getSecret('written')).toBe('x');
    expect(azure.counters().keyVault.writes).toBe(1);
    azure.removeRole(
      azure.managedIdentityPrincipalId,
      'Key Vault Secrets User',
      `${subscriptionScope()}/resourceGroups/${group}`,
    );
    azure.removeRole(
      azure.managedIdentityPrincipalId,
      'Key Vault Secrets Officer',
      azure.vault(vaultName).id,
    );
    await expect(client.getSecret('databricks-sp-client-id')).rejects.toMatchObject({ statusCode: 403 });
  });
});

describe('service principals and Databricks AAD sign-in', () => {
  it('issues client-credential tokens the workspace accepts with the management-token headers', async () => {
    const sp = azure.addServicePrincipal({ clientId: 'sp-client', clientSecret: 's3cret' });
    const workspace = await azure.createWorkspace({
      subscriptionId,
      resourceGroup: newGroup(),
      name: 'Databricks-SP-Test',
    });
    const spCredential = new ClientSecretCredential(azure.tenantId, sp.clientId, sp.clientSecret, {
      authorityHost: azure.authorityHost,
      disableInstanceDiscovery: true,
    });
    azure.clearRequestLog();
    const databricksToken = await spCredential.getToken(databricksScope);
    const managementToken = await spCredential.getToken(armScope);
    expect(requests()).toEqual([
      `200 GET /${azure.tenantId}/v2.0/.well-known/openid-configuration`,
      expect.stringMatching(
        new RegExp(`^200 POST /${azure.tenantId}/oauth2/v2.0/token\\?client-request-id=`),
      ),
      expect.stringMatching(
        new RegExp(`^200 POST /${azure.tenantId}/oauth2/v2.0/token\\?client-request-id=`),
      ),
    ]);
    const list = (headers: Record<string, string>) =>
      fetch(`https://${workspace.workspaceUrl}/api/2.0/workspace/list?path=/`, {
        headers: { authorization: `Bearer ${databricksToken.token}`, ...headers },
      });
    const sendManagement = {
      'X-Databricks-Azure-SP-Management-Token': managementToken.token,
      'X-Databricks-Azure-Workspace-Resource-Id': workspace.id,
    };
    const notMember = await list({});
    expect(notMember.status).toBe(403);
    expect(await notMember.json()).toMatchObject({ error_code: 'PERMISSION_DENIED' });
    // The headers alone are not enough: the principal must be Contributor or Owner of the workspace.
    expect((await list(sendManagement)).status).toBe(403);
    azure.assignRole(sp.objectId, 'Contributor', workspace.id);
    expect(
      (await list({ ...sendManagement, 'X-Databricks-Azure-Workspace-Resource-Id': `${workspace.id}x` }))
        .status,
    ).toBe(403);
    expect((await list(sendManagement)).status).toBe(200);
    expect(azure.autoAdmissions()).toEqual([
      expect.objectContaining({ principalId: sp.objectId, workspaceName: workspace.databricksName }),
    ]);
    // Once added, the principal is a member: no headers needed.
    expect((await list({})).status).toBe(200);
    expect(azure.workspaceMembers(workspace.databricksName)).toEqual([sp.objectId]);
    // The static emulator token still works.
    const pat = await fetch(`https://${workspace.workspaceUrl}/api/2.0/workspace/list?path=/`, {
      headers: { authorization: `Bearer ${DatabricksEmulator.defaultToken}` },
    });
    expect(pat.status).toBe(200);
    // An ARM token is not a Databricks token.
    const wrongAudience = await fetch(`https://${workspace.workspaceUrl}/api/2.0/workspace/list?path=/`, {
      headers: { authorization: `Bearer ${managementToken.token}` },
    });
    expect(wrongAudience.status).toBe(403);
    expect(await wrongAudience.json()).toMatchObject({ error_code: 403, message: /^Invalid access token\./ });
  });

  it('refuses a wrong client secret and tokens about to expire', async () => {
    const sp = azure.addServicePrincipal();
    const wrong = new ClientSecretCredential(azure.tenantId, sp.clientId, 'not-the-secret', {
      authorityHost: azure.authorityHost,
      disableInstanceDiscovery: true,
    });
    await expect(wrong.getToken(databricksScope)).rejects.toThrow(/AADSTS7000215/);

    const workspace = await azure.createWorkspace({
      subscriptionId,
      resourceGroup: newGroup(),
      name: 'Databricks-Expiry',
    });
    azure.addWorkspaceMember(workspace.databricksName, sp.objectId);
    const list = (token: string) =>
      fetch(`https://${workspace.workspaceUrl}/api/2.0/workspace/list?path=/`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const token = (lifetimeInSeconds: number) =>
      azure.issueToken({ audience: databricksScope, principalId: sp.objectId, lifetimeInSeconds });
    expect((await list(token(60))).status).toBe(200);
    // Azure Databricks refuses tokens with less than 30 s left.
    const expiring = await list(token(20));
    // As a bad token: 403 "Invalid access token." (databricks-sdk-go #873, #917).
    expect(expiring.status).toBe(403);
    expect(await expiring.json()).toMatchObject({ error_code: 403, message: /^Invalid access token\./ });
  });
});

describe('seeding, snapshots and persistence', () => {
  it('round-trips the Azure world through saveTo and loadFrom', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'azure-world-'));
    try {
      const group = newGroup();
      await azure.createKeyVault({ subscriptionId, resourceGroup: group, name: 'kv-seeded' });
      azure.setSecret('kv-seeded', 'tenant-id', azure.tenantId);
      const sp = azure.addServicePrincipal({ clientId: 'persisted', clientSecret: 'p' });
      azure.assignRole(sp.objectId, 'Key Vault Secrets User', azure.vault('kv-seeded').id);
      await azure.saveTo(dir);

      const otherDatabricks = await DatabricksEmulator.start({ rateLimits: false });
      const reloaded = await AzureEmulator.start({ databricks: otherDatabricks, stateDir: dir });
      try {
        expect(reloaded.snapshot().vaults).toContainEqual(
          expect.objectContaining({ name: 'kv-seeded', secretNames: ['tenant-id'] }),
        );
        expect(reloaded.snapshot().workspaces.map((w) => w.databricksName)).toContain(
          'databricks-myproject-dev',
        );
        expect(otherDatabricks.workspaceNames()).toContain('databricks-myproject-dev');
        const spCredential = new ClientSecretCredential(reloaded.tenantId, 'persisted', 'p', {
          authorityHost: reloaded.authorityHost,
          disableInstanceDiscovery: true,
        });
        const client = new SecretClient(reloaded.vault('kv-seeded').uri, spCredential, {
          disableChallengeResourceVerification: true,
        });
        expect((await client.getSecret('tenant-id')).value).toBe(azure.tenantId);
      } finally {
        await reloaded.stop();
        await otherDatabricks.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('allows everything with the role table off', async () => {
    azure.setRoleTableEnabled(false);
    try {
      const client = new ResourceManagementClient(credential, '12345678-0000-4000-8000-000000000000', {
        endpoint: azure.armEndpoint,
      });
      expect((await client.resourceGroups.createOrUpdate('open', { location: 'westeurope' })).name).toBe(
        'open',
      );
    } finally {
      azure.setRoleTableEnabled(true);
    }
  });
});
