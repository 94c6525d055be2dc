// `bricklane doctor` against a world whose Prod is a ring (BRICKLANE_PROD_TARGETS=weu,eus): each target is checked as
// the workspace it is (its resource group, vault, secrets and workspace, by its key), and a target whose group the
// app identity may not write is named with the command that fixes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/runCli';
import type { DoctorReport } from '../../src/doctor/DoctorCheck';
import { LocalWorld, SANDBOX_SUBSCRIPTION } from '../sandbox/LocalWorld';

describe('bricklane doctor on a ring', () => {
  let world: LocalWorld;
  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev', 'prod'], targets: { prod: ['weu', 'eus'] } });
  });
  afterAll(async () => {
    await world?.stop();
  });

  async function report(args: string[] = []): Promise<DoctorReport> {
    let stdout = '';
    await runCli(['doctor', '--json', ...args], {
      env: {
        ...world.settings(),
        BRICKLANE_APPROVAL_SIGNING_KEYS: 'doctor-ring-test-signing-key-0123456789-abcdef',
      },
      stdout: (t) => (stdout += t),
      stderr: () => undefined,
      cwd: process.cwd(),
    });
    return JSON.parse(stdout) as DoctorReport;
  }

  it('checks every target as its own workspace', async () => {
    const r = await report();
    const checked = new Set(r.checks.flatMap((c) => (c.environment ? [c.environment] : [])));
    expect([...checked].sort()).toEqual(['dev', 'prod.eus', 'prod.weu']);
    expect(r.checks.filter((c) => c.status === 'fail').map((c) => [c.environment, c.name, c.detail])).toEqual(
      [],
    );
    // --env prod is the whole ring; --env prod.eus one target.
    const ring = await report(['--env', 'prod']);
    expect(new Set(ring.checks.flatMap((c) => (c.environment ? [c.environment] : [])))).toEqual(
      new Set(['prod.weu', 'prod.eus']),
    );
  });

  it('names a target whose group the identity may not write, and the command that fixes it', async () => {
    const mi = world.azure.managedIdentityPrincipalId;
    const group = `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/${world.names('prod.eus').resourceGroup}`;
    expect(world.azure.removeRole(mi, 'Contributor', group)).toBe(true);
    try {
      const r = await report(['--env', 'prod.eus']);
      const failed = r.checks.filter((c) => c.status === 'fail');
      expect(failed.length).toBeGreaterThan(0);
      expect(new Set(failed.map((c) => c.environment))).toEqual(new Set(['prod.eus']));
      expect(JSON.stringify(failed)).toContain(world.names('prod.eus').resourceGroup);
    } finally {
      world.azure.assignRole(mi, 'Contributor', group);
    }
  });
});
