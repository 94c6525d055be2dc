// Secrets from Key Vault into a Databricks-backed scope, through the real CLI, the real Key Vault SDK client
// against the emulated vault (managed identity), and the emulated workspace: the first deploy creates the scope,
// puts its ACL entry and copies the secret; a redeploy writes nothing; a new Key Vault version costs exactly
// one secrets/put; a missing Key Vault secret is refused with the command that sets it, before any write; and
// the value is nowhere but in the scope: not in the output, the plan, the ledger or any blob.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/runCli';
import { LocalWorld } from '../sandbox/LocalWorld';
import { allBlobsText, latestVaultVersion, writeSecretsBundle } from './secretsBundle';

const VAULT = 'KeyVault-MyProject-Dev';
const FIRST = 'first-value-7f3a9c2e-d41b';
const SECOND = 'second-value-0b8e51aa-93c7';

describe('secrets copied from the environment Key Vault', () => {
  let world: LocalWorld;
  let dir: string;

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev'] });
    world.azure.setSecret(VAULT, 'etl-db-password', FIRST);
    dir = writeSecretsBundle();
  });
  afterAll(async () => {
    await world?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    let out = '';
    const code = await runCli(args, {
      env: { ...world.settings(), BRICKLANE_DEV_PERMISSIONS: 'group:data-engineers=READ' },
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      cwd: process.cwd(),
    });
    return { code, out };
  };
  const workspace = () => world.emulator.workspace(world.workspaceName('dev') ?? '');
  const allBlobs = async (): Promise<string> => (await allBlobsText(world)).text;
  const versionOf = (): string | undefined => latestVaultVersion(world, VAULT, 'etl-db-password');

  it('creates the scope, puts the declared ACL entry and copies the value; the ledger keeps the version id', async () => {
    const plan = await cli('plan', dir, '--env', 'dev', '--json');
    expect(plan.code, plan.out).toBe(0);
    expect(plan.out).toContain('secrets.app/db-password');
    world.emulator.resetCounters();
    const run = await cli('deploy', dir, '--env', 'dev');
    expect(run.code, run.out).toBe(0);
    expect(workspace().secrets.value('app', 'db-password')).toBe(FIRST);
    expect(workspace().secrets.listAcls('app')).toContainEqual({
      principal: 'data-engineers',
      permission: 'READ',
    });
    const { writes, byEndpoint } = world.emulator.counters();
    expect(byEndpoint['2.0/secrets/scopes/create']).toBe(1);
    expect(byEndpoint['2.0/secrets/acls/put']).toBe(1);
    expect(byEndpoint['2.0/secrets/put']).toBe(1);
    expect(writes).toBe(3);
    const blobs = await allBlobs();
    expect(blobs).toContain(versionOf());
    for (const text of [plan.out, run.out, blobs]) expect(text).not.toContain(FIRST);
  });

  it('writes nothing on a redeploy with the same Key Vault version', async () => {
    world.emulator.resetCounters();
    world.azure.resetCounters();
    const run = await cli('deploy', dir, '--env', 'dev');
    expect(run.code, run.out).toBe(0);
    expect(world.emulator.counters().writes).toBe(0);
    // Key Vault: the service principal's four secrets, and the copied secret's version once (the plan); the
    // apply reads no value when nothing changed. Databricks: one scopes/list, one list and one acls/list.
    expect(world.azure.counters().keyVault.reads).toBe(5);
    const { byEndpoint } = world.emulator.counters();
    expect(
      ['2.0/secrets/scopes/list', '2.0/secrets/list', '2.0/secrets/acls/list'].map((e) => byEndpoint[e]),
    ).toEqual([1, 1, 1]);
    expect(run.out).toContain('ledger unchanged');
  });

  it('costs exactly one secrets/put when the Key Vault secret gets a new version', async () => {
    world.azure.setSecret(VAULT, 'etl-db-password', SECOND);
    world.emulator.resetCounters();
    const run = await cli('deploy', dir, '--env', 'dev');
    expect(run.code, run.out).toBe(0);
    const { writes, byEndpoint } = world.emulator.counters();
    expect([writes, byEndpoint['2.0/secrets/put']]).toEqual([1, 1]);
    expect(workspace().secrets.value('app', 'db-password')).toBe(SECOND);
    const blobs = await allBlobs();
    expect(blobs).toContain(versionOf());
    for (const text of [run.out, blobs]) {
      expect(text).not.toContain(FIRST);
      expect(text).not.toContain(SECOND);
    }
  });

  it('shows a key deleted by hand as drift and writes it again', async () => {
    workspace().secrets.deleteSecret('app', 'db-password');
    const plan = await cli('plan', dir, '--env', 'dev');
    expect(plan.out).toMatch(
      /secrets\.app\/db-password: recorded as deployed but missing.*\[drift: deleted outside bricklane\]/,
    );
    world.emulator.resetCounters();
    expect((await cli('deploy', dir, '--env', 'dev')).code).toBe(0);
    expect(world.emulator.counters().writes).toBe(1);
    expect(workspace().secrets.value('app', 'db-password')).toBe(SECOND);
  });

  it('refuses a Key Vault secret that is not there with the command that sets it, and writes nothing', async () => {
    writeFileSync(
      join(dir, 'secrets', 'more.json'),
      JSON.stringify({ scope: 'more', keys: { token: 'never-set-in-the-vault' } }),
    );
    try {
      world.emulator.resetCounters();
      const run = await cli('deploy', dir, '--env', 'dev');
      expect(run.code).toBe(1);
      expect(run.out).toContain(
        `az keyvault secret set --vault-name ${VAULT} --name never-set-in-the-vault --value <value>`,
      );
      expect(world.emulator.counters().writes).toBe(0);
    } finally {
      rmSync(join(dir, 'secrets', 'more.json'));
    }
  });

  it('refuses an ACL entry outside BRICKLANE_<ENV>_PERMISSIONS before any write', async () => {
    world.emulator.resetCounters();
    let out = '';
    // The world allows the sample's own scope ACL (group:data-engineers=READ); this operator allows none.
    const code = await runCli(['deploy', dir, '--env', 'dev'], {
      env: { ...world.settings(), BRICKLANE_PERMISSIONS: '' },
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      cwd: process.cwd(),
    });
    expect(code, out).toBe(1);
    expect(out).toContain('grants READ on secret scope app to "data-engineers"');
    expect(world.emulator.counters().writes).toBe(0);
  });

  it('deletes a key the bundle no longer names when pruning is on, and keeps the scope', async () => {
    writeFileSync(join(dir, 'bricklane.json'), JSON.stringify({ prune: true }));
    writeFileSync(
      join(dir, 'secrets', 'app.json'),
      JSON.stringify({ scope: 'app', acls: [{ principal: 'data-engineers', permission: 'READ' }] }),
    );
    world.emulator.resetCounters();
    const run = await cli('deploy', dir, '--env', 'dev');
    expect(run.code, run.out).toBe(0);
    const { writes, byEndpoint } = world.emulator.counters();
    expect([writes, byEndpoint['2.0/secrets/delete']]).toEqual([1, 1]);
    expect(workspace().secrets.list('app')).toEqual([]);
    expect(
      workspace()
        .secrets.listScopes()
        .map((s) => s.name),
    ).toEqual(['app']);
  });
});
