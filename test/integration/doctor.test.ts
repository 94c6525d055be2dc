// `bricklane doctor` against the emulated world: the real CLI, the real @azure/* clients and the Databricks
// client over HTTPS. Each check is broken once, the way it breaks in a real installation, and the fix is
// read from the output. Nothing the doctor does may write to Azure, Key Vault or the workspace.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/runCli';
import type { DoctorCheck, DoctorReport } from '../../src/doctor/DoctorCheck';
import { HttpsEndpoint } from '../emulator/HttpsEndpoint';
import { LocalWorld, SANDBOX_SUBSCRIPTION } from '../sandbox/LocalWorld';
import type { CliRun } from '../sandbox/runCliCaptured';

const SUB = `/subscriptions/${SANDBOX_SUBSCRIPTION}`;
const GROUP = `${SUB}/resourceGroups/Databricks-MyProject-Dev`;
const VAULT = 'KeyVault-MyProject-Dev';
const SIGNING_KEY = 'doctor-test-signing-key-0123456789-abcdefghijklmnop';

async function doctor(
  world: LocalWorld,
  args: string[] = [],
  extra: Record<string, string> = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['doctor', ...args], {
    env: { ...world.settings(), ...extra },
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}

async function report(
  world: LocalWorld,
  extra: Record<string, string> = {},
): Promise<{ code: number; report: DoctorReport }> {
  const run = await doctor(world, ['--json'], extra);
  return { code: run.code, report: JSON.parse(run.stdout) as DoctorReport };
}

function check(r: DoctorReport, name: string, environment?: string): DoctorCheck {
  const found = r.checks.find((c) => c.name === name && c.environment === environment);
  if (!found) throw new Error(`no check "${name}" in ${JSON.stringify(r.checks.map((c) => c.name))}`);
  return found;
}

function failures(r: DoctorReport): string[] {
  return r.checks.filter((c) => c.status === 'fail').map((c) => `${c.environment ?? 'app'} ${c.name}`);
}

/** Runs `body` with one of the app identity's role assignments removed, and puts it back afterwards. */
async function withoutRole(
  world: LocalWorld,
  role: string,
  body: (mi: string) => Promise<void>,
): Promise<void> {
  const mi = world.azure.managedIdentityPrincipalId;
  expect(world.azure.removeRole(mi, role, GROUP)).toBe(true);
  try {
    await body(mi);
  } finally {
    world.azure.assignRole(mi, role, GROUP);
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe("doctor on the seed's Key Vault service principal", () => {
  let world: LocalWorld;
  beforeAll(async () => {
    world = await LocalWorld.start();
  });
  afterAll(async () => {
    await world.stop();
  });

  it('passes on a fresh world, one line per check, reading only and showing no secret', async () => {
    const vault = world.azure.vault(VAULT);
    const clientSecret = vault.getSecret('databricks-dev-ops-client-secret') ?? '';
    world.azure.resetCounters();
    const run = await doctor(world);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toContain(`ok    dev  resource group Databricks-MyProject-Dev: exists (${GROUP})`);
    expect(lines).toContain(
      'ok    dev  workspace Databricks-MyProject-Dev: does not exist; will be created by the first deploy',
    );
    for (const name of ['subscription-id', 'tenant-id', 'client-id', 'client-secret']) {
      expect(lines).toContain(
        `ok    dev  secret databricks-dev-ops-${name}: present and readable (value not shown)`,
      );
    }
    expect(lines).toContain(
      'skip  dev  databricks sign-in: the workspace does not exist yet; the first deploy creates it',
    );
    expect(lines.at(-1)).toMatch(/^doctor: \d+ ok, 0 failed, \d+ skipped$/);
    const counters = world.azure.counters();
    expect(counters.arm.writes).toBe(0);
    expect(counters.keyVault.writes).toBe(0);
    expect(counters.keyVault.reads).toBe(4);
    expect(world.azure.snapshot().workspaces).toEqual([]);
    expect(clientSecret.length).toBeGreaterThan(10);
    expect(run.stdout).not.toContain(clientSecret);
    expect(run.stdout).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
  });

  it('names the identity, the scope, the role and the command when Contributor on the group is gone', async () => {
    await withoutRole(world, 'Contributor', async (mi) => {
      const { code, report: r } = await report(world);
      expect(code).toBe(1);
      // The resource group itself stays readable through the subscription-wide custom role.
      expect(check(r, 'resource group Databricks-MyProject-Dev', 'dev').status).toBe('ok');
      const command = `az role assignment create --assignee-object-id ${mi} --assignee-principal-type ServicePrincipal --role "Contributor" --scope ${GROUP}`;
      for (const name of ['workspace Databricks-MyProject-Dev', `key vault ${VAULT}`]) {
        const c = check(r, name, 'dev');
        expect(c.status).toBe('fail');
        expect(c.detail).toContain(`identity ${mi} was refused (403 AuthorizationFailed)`);
        expect(c.detail).toContain(`"Contributor" on ${GROUP}`);
        expect(c.fix).toBe(command);
      }
      expect(check(r, 'service principal secrets', 'dev').status).toBe('skip');
      expect(check(r, 'databricks sign-in', 'dev').status).toBe('skip');
    });
  });

  it('names the role and the command when the identity may not read secret values', async () => {
    await withoutRole(world, 'Key Vault Secrets User', async (mi) => {
      const { code, report: r } = await report(world);
      expect(code).toBe(1);
      const c = check(r, 'secret databricks-dev-ops-client-secret', 'dev');
      expect(c.status).toBe('fail');
      expect(c.detail).toContain('"Key Vault Secrets User"');
      expect(c.fix).toBe(
        `az role assignment create --assignee-object-id ${mi} --assignee-principal-type ServicePrincipal --role "Key Vault Secrets User" --scope ${GROUP}`,
      );
      expect(failures(r)).toHaveLength(4);
    });
  });

  it('names each missing secret and the command that sets it', async () => {
    const vault = world.azure.vault(VAULT);
    const saved = vault.getSecret('databricks-dev-ops-client-id') ?? '';
    expect(vault.deleteSecret('databricks-dev-ops-client-id')).toBe(true);
    try {
      const run = await doctor(world);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        `FAIL  dev  secret databricks-dev-ops-client-id: missing from Key Vault ${VAULT} -- fix: ` +
          `az keyvault secret set --vault-name ${VAULT} --name databricks-dev-ops-client-id --value <value>`,
      );
      expect(run.stdout).toMatch(/doctor: \d+ ok, 1 failed/);
    } finally {
      vault.setSecret('databricks-dev-ops-client-id', saved);
    }
  });

  it('signs in to an existing workspace as the service principal, and says what to do when Entra ID refuses it', async () => {
    await world.azure.createWorkspace({
      subscriptionId: SANDBOX_SUBSCRIPTION,
      resourceGroup: 'Databricks-MyProject-Dev',
      name: 'Databricks-MyProject-Dev',
    });
    const ok = await report(world);
    expect(failures(ok.report)).toEqual([]);
    const signIn = check(ok.report, 'databricks sign-in', 'dev');
    expect(signIn.status).toBe('ok');
    expect(signIn.detail).toContain(`accepted the credential (service principal from Key Vault ${VAULT})`);

    const vault = world.azure.vault(VAULT);
    const saved = vault.getSecret('databricks-dev-ops-client-secret') ?? '';
    vault.setSecret('databricks-dev-ops-client-secret', 'an-expired-client-secret');
    try {
      const run = await doctor(world, ['--json']);
      expect(run.code).toBe(1);
      const r = JSON.parse(run.stdout) as DoctorReport;
      expect(failures(r)).toEqual(['dev databricks sign-in']);
      const c = check(r, 'databricks sign-in', 'dev');
      expect(c.detail).toMatch(/AADSTS7000215|invalid_client/);
      expect(c.fix).toContain(
        `az keyvault secret set --vault-name ${VAULT} --name databricks-dev-ops-client-secret --value <the new secret>`,
      );
      expect(run.stdout).not.toContain('an-expired-client-secret');
    } finally {
      vault.setSecret('databricks-dev-ops-client-secret', saved);
    }
  });

  it('lists every settings problem with where to set it, and calls nothing', async () => {
    world.azure.resetCounters();
    const run = await doctor(world, [], {
      BRICKLANE_DEV_SUBSCRIPTION_ID: 'not-a-guid',
      BRICKLANE_MAX_IN_FLIGHT: '500',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'FAIL  dev  settings: BRICKLANE_DEV_SUBSCRIPTION_ID must be a subscription id (a GUID), got "not-a-guid" -- fix: ' +
        'export BRICKLANE_DEV_SUBSCRIPTION_ID=<a valid value, as the detail says> (for func start: local.settings.json "Values")',
    );
    expect(run.stdout).toContain(
      'FAIL  app  settings: BRICKLANE_MAX_IN_FLIGHT must be an integer from 1 to 64',
    );
    expect(run.stdout).toContain('skip  app  other checks: they run once the settings load');

    // App Service leaves a reference it cannot resolve as text; the doctor says so instead of taking it as a key.
    const unresolved = await report(world, {
      BRICKLANE_APPROVAL_SIGNING_KEYS:
        '@Microsoft.KeyVault(SecretUri=https://kv-app.vault.azure.net/secrets/signing/)',
    });
    expect(check(unresolved.report, 'settings').detail).toContain(
      'BRICKLANE_APPROVAL_SIGNING_KEYS is a Key Vault reference that App Service could not resolve',
    );
    expect(world.azure.counters().arm.total).toBe(0);
  });

  it('fails a missing signing key when an environment waits for approval, and a localhost public URL in Azure', async () => {
    const azureApp = {
      BRICKLANE_ENVIRONMENTS: 'dev,qa',
      BRICKLANE_QA_SUBSCRIPTION_ID: SANDBOX_SUBSCRIPTION,
      BRICKLANE_QA_DATABRICKS_AUTH: 'managedIdentity',
      WEBSITE_HOSTNAME: 'bricklane-demo.azurewebsites.net',
      WEBSITE_SITE_NAME: 'bricklane-demo',
      WEBSITE_RESOURCE_GROUP: 'rg-bricklane',
    };
    const { code, report: r } = await report(world, azureApp);
    expect(code).toBe(1);
    const keys = check(r, 'approval signing keys');
    expect(keys.status).toBe('fail');
    expect(keys.detail).toContain('qa require(s) approval');
    expect(keys.fix).toBe(
      'az functionapp config appsettings set --name bricklane-demo --resource-group rg-bricklane ' +
        '--settings BRICKLANE_APPROVAL_SIGNING_KEYS="$(openssl rand -base64 48)"',
    );
    const url = check(r, 'public URL');
    expect(url.status).toBe('fail');
    expect(url.detail).toContain('http://localhost:7071 while the app runs in Azure');
    expect(url.fix).toBe(
      'az functionapp config appsettings set --name bricklane-demo --resource-group rg-bricklane ' +
        '--settings BRICKLANE_PUBLIC_URL=https://bricklane-demo.azurewebsites.net',
    );

    const fixed = await report(world, {
      ...azureApp,
      BRICKLANE_APPROVAL_SIGNING_KEYS: SIGNING_KEY,
      BRICKLANE_PUBLIC_URL: 'https://bricklane-demo.azurewebsites.net',
    });
    expect(check(fixed.report, 'approval signing keys').status).toBe('ok');
    expect(check(fixed.report, 'public URL').status).toBe('ok');
    expect(JSON.stringify(fixed.report)).not.toContain(SIGNING_KEY);
  });

  it('checks the notification webhook with a HEAD that posts nothing, and fails an unreachable one', async () => {
    const seen: string[] = [];
    const hook = await HttpsEndpoint.start((request) => {
      seen.push(`${request.method} ${request.url.pathname}`);
      return { status: 405 };
    });
    try {
      const secretPath = '/webhookb2/secret-part-of-the-url';
      const reachable = await report(world, { BRICKLANE_DEV_NOTIFY_URL: `${hook.url}${secretPath}` });
      const ok = check(reachable.report, 'notification webhook', 'dev');
      expect(ok.status).toBe('ok');
      expect(ok.detail).toBe(`${hook.url} answered a HEAD with HTTP 405 (reachable; nothing was posted)`);
      expect(seen).toEqual([`HEAD ${secretPath}`]);
      expect(JSON.stringify(reachable.report)).not.toContain('secret-part-of-the-url');

      const port = await closedPort();
      const unreachable = await report(world, {
        BRICKLANE_DEV_NOTIFY_URL: `https://127.0.0.1:${port}${secretPath}`,
      });
      expect(unreachable.code).toBe(1);
      const fail = check(unreachable.report, 'notification webhook', 'dev');
      expect(fail.status).toBe('fail');
      expect(fail.detail).toBe(
        `cannot reach https://127.0.0.1:${port} (ECONNREFUSED): notices would be lost`,
      );
      expect(fail.fix).toContain('BRICKLANE_DEV_NOTIFY_URL=');
      expect(JSON.stringify(unreachable.report)).not.toContain('secret-part-of-the-url');
    } finally {
      await hook.stop();
    }
  });

  it('fails a webhook source that is in use without its secret', async () => {
    const github = await report(world, { BRICKLANE_GITHUB_TOKEN: 'ghp_doctor-test-token' });
    const c = check(github.report, 'GitHub webhook secret');
    expect(c.status).toBe('fail');
    expect(c.fix).toBe(
      'export BRICKLANE_GITHUB_WEBHOOK_SECRET=<the secret of the GitHub webhook> (for func start: local.settings.json "Values")',
    );
    expect(JSON.stringify(github.report)).not.toContain('ghp_doctor-test-token');

    const repos = await report(world, {
      BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL: 'https://dev.azure.com/contoso',
      BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME: 'bricklane',
    });
    const hook = check(repos.report, 'Azure Repos service hook');
    expect(hook.status).toBe('fail');
    expect(hook.detail).toContain('BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD not set');

    const configured = await report(world, {
      BRICKLANE_GITHUB_WEBHOOK_SECRET: 'doctor-test-webhook-secret',
      BRICKLANE_GITHUB_REPOSITORY: 'contoso/etl',
      BRICKLANE_GITHUB_TOKEN: 'ghp_doctor-test-token',
    });
    expect(check(configured.report, 'GitHub webhook secret').status).toBe('ok');
    expect(JSON.stringify(configured.report)).not.toContain('doctor-test-webhook-secret');
  });

  it('fails a ledger storage that refuses the configured key, without showing the key', async () => {
    const connection = world.azurite.connectionString;
    const wrongKey = Buffer.from('not-the-account-key-of-azurite-0123456789').toString('base64');
    const broken = connection.replace(/AccountKey=[^;]+/, `AccountKey=${wrongKey}`);
    expect(broken).not.toBe(connection);
    const { code, report: r } = await report(world, { BRICKLANE_LEDGER_CONNECTION: broken });
    expect(code).toBe(1);
    const c = check(r, 'ledger storage');
    expect(c.status).toBe('fail');
    expect(c.detail).toContain('reading BRICKLANE_LEDGER_CONNECTION failed (HTTP 403');
    expect(c.fix).toContain('az storage account show-connection-string');
    expect(JSON.stringify(r)).not.toContain(wrongKey);
  });

  it('fails the identity when it gets no token, and skips what needs it', async () => {
    // Here no Azure CLI is signed in (or installed): the local credential has nothing to offer.
    const { code, report: r } = await report(world, { BRICKLANE_AZURE_CREDENTIAL: 'cli' });
    expect(code).toBe(1);
    const identity = check(r, 'identity');
    expect(identity.status).toBe('fail');
    expect(identity.detail).toContain('no token for Azure Resource Manager (cli)');
    expect(identity.fix).toBe('az login (the Azure CLI login is the app identity locally)');
    expect(check(r, 'azure resources', 'dev').status).toBe('skip');
    expect(check(r, 'databricks sign-in', 'dev').status).toBe('skip');
  });

  it('answers usage errors with exit code 2', async () => {
    const unknown = await doctor(world, ['--env', 'staging']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('environment "staging" is not configured');
    expect((await doctor(world, ['artifacts'])).code).toBe(2);
    const one = await report(world, {
      BRICKLANE_ENVIRONMENTS: 'dev,qa',
      BRICKLANE_QA_SUBSCRIPTION_ID: SANDBOX_SUBSCRIPTION,
    });
    expect(one.report.checks.some((c) => c.environment === 'qa')).toBe(true);
    const onlyDev = await doctor(world, ['--env', 'dev', '--json'], {
      BRICKLANE_ENVIRONMENTS: 'dev,qa',
      BRICKLANE_QA_SUBSCRIPTION_ID: SANDBOX_SUBSCRIPTION,
    });
    expect((JSON.parse(onlyDev.stdout) as DoctorReport).checks.some((c) => c.environment === 'qa')).toBe(
      false,
    );
  });
});

describe('doctor with the managed identity and no role assignments', () => {
  let world: LocalWorld;
  beforeAll(async () => {
    world = await LocalWorld.start({ auth: 'managedIdentity', grantRoles: false });
  });
  afterAll(async () => {
    await world.stop();
  });

  it('names the per-subscription custom role for the resource group read', async () => {
    const mi = world.azure.managedIdentityPrincipalId;
    const run = await doctor(world);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `-- fix: az role assignment create --assignee-object-id ${mi} --assignee-principal-type ServicePrincipal ` +
        `--role "Bricklane Resource Group Writer (${SANDBOX_SUBSCRIPTION})" --scope ${SUB}`,
    );
    expect(run.stdout).not.toContain('secret databricks-dev-ops');
    expect(world.azure.counters().arm.writes).toBe(0);
  });
});

describe('doctor in token mode', () => {
  let world: LocalWorld;
  beforeAll(async () => {
    world = await LocalWorld.start({ auth: 'token' });
  });
  afterAll(async () => {
    await world.stop();
  });

  it('signs in with the configured token', async () => {
    const { code, report: r } = await report(world);
    expect(code).toBe(0);
    const c = check(r, 'databricks sign-in', 'dev');
    expect(c.status).toBe('ok');
    expect(c.detail).toContain('accepted the credential (token from app settings)');
    // No Azure identity is needed, so none is asked for.
    expect(r.checks.some((x) => x.name === 'identity')).toBe(false);
  });

  it('says how to replace a token the workspace rejects, without showing it', async () => {
    const { code, report: r } = await report(world, { BRICKLANE_DEV_DATABRICKS_TOKEN: 'dapi-revoked-token' });
    expect(code).toBe(1);
    const c = check(r, 'databricks sign-in', 'dev');
    expect(c.status).toBe('fail');
    // The emulator answers as the service does: 403 "Invalid access token." (databricks-sdk-go #873, #917).
    expect(c.detail).toContain('rejected the token');
    expect(c.detail).toContain('403');
    expect(c.detail).toContain('Invalid access token.');
    expect(c.fix).toContain('BRICKLANE_DEV_DATABRICKS_TOKEN=<a valid token of the workspace>');
    expect(JSON.stringify(r)).not.toContain('dapi-revoked-token');
  });

  it('says which setting to check when the workspace cannot be reached', async () => {
    const port = await closedPort();
    const { code, report: r } = await report(world, {
      BRICKLANE_DEV_WORKSPACE_URL: `https://127.0.0.1:${port}`,
    });
    expect(code).toBe(1);
    const c = check(r, 'databricks sign-in', 'dev');
    expect(c.detail).toContain(`cannot reach https://127.0.0.1:${port}`);
    expect(c.detail).toContain('ECONNREFUSED');
    expect(c.fix).toContain('check BRICKLANE_DEV_WORKSPACE_URL');
  });
});

describe('doctor before IT created the vault (Key Vault service principal)', () => {
  let world: LocalWorld;
  beforeAll(async () => {
    world = await LocalWorld.start({ seedVaults: false });
  });
  afterAll(async () => {
    await world.stop();
  });

  it('accepts what provisioning creates, but not a vault that would be created without its secrets', async () => {
    const { code, report: r } = await report(world);
    expect(code).toBe(1);
    for (const name of [
      'resource group Databricks-MyProject-Dev',
      'workspace Databricks-MyProject-Dev',
      `key vault ${VAULT}`,
    ]) {
      expect(check(r, name, 'dev')).toMatchObject({
        status: 'ok',
        detail: 'does not exist; will be created by the first deploy',
      });
    }
    const secrets = check(r, 'service principal secrets', 'dev');
    expect(secrets.status).toBe('fail');
    expect(secrets.detail).toContain('a deploy would create the vault and then stop');
    expect(secrets.fix).toContain(
      `az keyvault create --name ${VAULT} --resource-group Databricks-MyProject-Dev --location westeurope --enable-rbac-authorization true`,
    );
    expect(secrets.fix).toContain(
      `az keyvault secret set --vault-name ${VAULT} --name <name> --value <value>`,
    );
    expect(world.azure.counters().arm.writes).toBe(0);
  });
});
