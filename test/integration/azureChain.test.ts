// The Azure side end to end: the real @azure/* SDK clients against the emulator over HTTPS, driven by
// the real CLI code: managed identity -> ARM -> Key Vault -> Entra ID -> Databricks.
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/runCli';
import { LocalWorld, SANDBOX_SUBSCRIPTION } from '../sandbox/LocalWorld';
import { runCliCaptured, type CliRun } from '../sandbox/runCliCaptured';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');
let world: LocalWorld | undefined;

afterEach(async () => {
  await world?.stop();
  world = undefined;
});

function deploy(w: LocalWorld, args: string[] = []): Promise<CliRun> {
  return runCliCaptured(w, ['deploy', ARTIFACTS, '--env', 'dev', ...args]);
}

describe('managed identity on an empty subscription', () => {
  it('creates the resource group, workspace and vault, deploys, and writes nothing to Azure the second time', async () => {
    world = await LocalWorld.start({ auth: 'managedIdentity' });
    const first = await deploy(world);
    expect(first.stderr).toContain('created in Azure: resourceGroup, workspace, keyVault');
    expect(first.code).toBe(0);
    const arm = world.azure.counters().arm.byOperation;
    expect(arm['Microsoft.Resources/subscriptions/resourceGroups/write']).toBe(1);
    expect(arm['Microsoft.Databricks/workspaces/write']).toBe(1);
    expect(arm['Microsoft.KeyVault/vaults/write']).toBe(1);
    const snap = world.azure.snapshot();
    expect(snap.resourceGroups.map((g) => g.name)).toContain('Databricks-MyProject-Dev');
    expect(snap.workspaces.map((w) => w.name)).toEqual(['Databricks-MyProject-Dev']);
    expect(snap.vaults.map((v) => v.name)).toEqual(['KeyVault-MyProject-Dev']);
    const ws = world.workspaceName('dev');
    expect(ws).toBeDefined();
    expect(Object.keys(world.emulator.snapshot(ws ?? '').notebooks)).toHaveLength(7);
    // The identity was admitted to the workspace through the ARM management token (it was no member).
    expect(world.azure.autoAdmissions().map((a) => a.principalId)).toContain(
      world.azure.managedIdentityPrincipalId,
    );

    world.azure.resetCounters();
    world.emulator.resetCounters();
    const second = await deploy(world);
    expect(second.code).toBe(0);
    expect(world.azure.counters().arm.writes).toBe(0);
    expect(world.azure.counters().keyVault.writes).toBe(0);
    expect(world.emulator.counters().writes).toBe(0);
  });

  it('plans against an environment that does not exist yet without creating anything', async () => {
    world = await LocalWorld.start({ auth: 'managedIdentity' });
    const run = await runCliCaptured(world, ['plan', ARTIFACTS, '--env', 'dev']);
    expect(run.code).toBe(0);
    // The sample: 1 init script, 3 clusters, 6 notebooks, 1 file, 3 jobs, 1 policy, 3 permission lists (its
    // secrets are planned once the vault exists: the plan warns they are not copied).
    expect(run.stdout).toMatch(/20 to create/);
    expect(run.stdout).toMatch(/does not exist yet; deploy creates it/);
    expect(world.azure.counters().arm.writes).toBe(0);
  });
});

describe("the seed's Key Vault service principal", () => {
  it('deploys end to end with the management-token headers and leaves the existing vault untouched', async () => {
    world = await LocalWorld.start({ auth: 'keyVaultServicePrincipal' });
    const vault = world.azure.vault('KeyVault-MyProject-Dev');
    const before = Object.fromEntries(vault.secretNames().map((n) => [n, vault.getSecret(n)]));
    const run = await deploy(world, ['--json']);
    expect(run.stderr).not.toMatch(/bricklane deploy:/);
    expect(run.code).toBe(0);
    const counters = world.azure.counters();
    expect(counters.arm.byOperation['Microsoft.KeyVault/vaults/write'] ?? 0).toBe(0);
    expect(counters.keyVault.writes).toBe(0);
    // The service principal's four secrets, then the sample's copied secret (artifacts/secrets/etl.json):
    // its version when planning, its value when writing it.
    expect(counters.keyVault.reads).toBe(6);
    expect(Object.fromEntries(vault.secretNames().map((n) => [n, vault.getSecret(n)]))).toEqual(before);
    const spId = world.azure
      .roleAssignments()
      .find((r) => r.principalId !== world?.azure.managedIdentityPrincipalId)?.principalId;
    expect(world.azure.autoAdmissions().map((a) => a.principalId)).toContain(spId);
    expect(counters.tokens.byAudience['2ff814a6-3304-4ab8-85cb-cd0e6f879c1d']).toBeGreaterThan(0);

    // Nothing secret in anything printed or returned: the SP secret, and every token issued.
    const clientSecret = before['databricks-dev-ops-client-secret'] ?? '';
    expect(clientSecret.length).toBeGreaterThan(10);
    const output = run.stdout + run.stderr;
    expect(output).not.toContain(clientSecret);
    expect(output).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
    // The scan sees what it scans: the (non-secret) workspace id is in the output.
    expect(output).toContain(SANDBOX_SUBSCRIPTION);
  });

  it('names the vault, the secret and the command when a secret is missing, and deploys nothing', async () => {
    world = await LocalWorld.start({ auth: 'keyVaultServicePrincipal' });
    expect(world.azure.vault('KeyVault-MyProject-Dev').deleteSecret('databricks-dev-ops-client-secret')).toBe(
      true,
    );
    world.emulator.resetCounters();
    const run = await deploy(world);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'Key Vault KeyVault-MyProject-Dev has no secret "databricks-dev-ops-client-secret". Set it with: ' +
        'az keyvault secret set --vault-name KeyVault-MyProject-Dev --name databricks-dev-ops-client-secret --value <value>',
    );
    expect(world.emulator.counters().writes).toBe(0);
  });
});

describe('clear errors before anything is half-deployed', () => {
  it('names the identity, the scope and the role when a role assignment is missing', async () => {
    world = await LocalWorld.start({ auth: 'managedIdentity', grantRoles: false });
    const mi = world.azure.managedIdentityPrincipalId;
    world.azure.assignRole(
      mi,
      `Bricklane Resource Group Writer (${SANDBOX_SUBSCRIPTION})`,
      `/subscriptions/${SANDBOX_SUBSCRIPTION}`,
    );
    const run = await deploy(world);
    expect(run.code).toBe(1);
    const scope = `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/Databricks-MyProject-Dev`;
    expect(run.stderr).toContain(`identity ${mi} may not`);
    expect(run.stderr).toContain(`it needs the role "Contributor" there`);
    expect(run.stderr).toContain(
      `az role assignment create --assignee-object-id ${mi} --assignee-principal-type ServicePrincipal --role "Contributor" --scope ${scope}`,
    );
    expect(world.azure.snapshot().workspaces).toEqual([]);
    expect(world.emulator.counters().total).toBe(0);
  });

  it('rejects an invalid resource name before any call', async () => {
    world = await LocalWorld.start({ auth: 'managedIdentity' });
    world.azure.resetCounters();
    const settings = { ...world.settings(), BRICKLANE_PROJECT: 'CustomerAnalyticsPlatform' };
    let stderr = '';
    const code = await runCli(['deploy', ARTIFACTS, '--env', 'dev'], {
      env: settings,
      stdout: () => undefined,
      stderr: (t) => (stderr += t),
      cwd: process.cwd(),
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/Key Vault name "KeyVault-CustomerAnalyticsPlatform-Dev" must be 3–24 characters/);
    expect(world.azure.counters().arm.total).toBe(0);
    expect(world.azure.counters().tokens.managedIdentity).toBe(0);
  });
});
