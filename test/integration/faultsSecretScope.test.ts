// Test infrastructure: a secret scope whose create is cut off (a reset before it is applied, then one after)
// is created exactly once, and the deploy goes on to copy its secret. Found by the faults integration test
// (faultsSandbox.test.ts, default preset, seed 7): secrets/scopes/create is not safe to repeat blindly, and the
// wave failed the release on the first reset instead of looking the scope up.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/runCli';
import { LocalWorld } from '../sandbox/LocalWorld';
import { writeSecretsBundle } from './secretsBundle';

describe('a secret scope create under connection resets', () => {
  let world: LocalWorld;
  let dir: string;

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev'] });
    world.azure.setSecret('KeyVault-MyProject-Dev', 'etl-db-password', 'value-4c1d9e');
    dir = writeSecretsBundle();
  });
  afterAll(async () => {
    await world?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('looks the scope up after each ambiguous failure, creates it once and copies the secret', async () => {
    world.emulator.faults({
      endpoints: ['2.0/secrets/scopes/create'],
      sequence: ['reset-before', 'reset-after'],
    });
    let out = '';
    const code = await runCli(['deploy', dir, '--env', 'dev'], {
      env: { ...world.settings(), BRICKLANE_DEV_PERMISSIONS: 'group:data-engineers=READ' },
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      cwd: process.cwd(),
    });
    world.emulator.clearFaults();
    expect(code, out).toBe(0);
    const workspace = world.emulator.workspace(world.workspaceName('dev') ?? '');
    expect(workspace.secrets.value('app', 'db-password')).toBe('value-4c1d9e');
    // Two creates reached the workspace (the first cut off before it applied); one scope exists.
    expect(world.emulator.counters().byEndpoint['2.0/secrets/scopes/create']).toBe(2);
    expect(workspace.secrets.listScopes().filter((scope) => scope.name === 'app')).toHaveLength(1);
  });
});
