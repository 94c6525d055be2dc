// GET /api/doctor through the local Functions host: the function key is required, the answer is the
// doctor's JSON report for the app's own settings, and it carries no secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/DoctorCheck';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';

describe('GET /api/doctor', () => {
  let world: LocalWorld;
  let app: SandboxApp;
  beforeAll(async () => {
    world = await LocalWorld.start();
    app = await SandboxApp.start(world);
  });
  afterAll(async () => {
    await app.stop();
    await world.stop();
  });

  it('refuses a call without the function key, or with a wrong one', async () => {
    expect((await fetch(`${app.url}/api/doctor`)).status).toBe(401);
    expect((await fetch(`${app.url}/api/doctor?code=not-the-key`)).status).toBe(401);
  });

  it("answers the report of the app's own installation, without a secret in it", async () => {
    const { status, json } = await app.call('GET', 'doctor');
    expect(status).toBe(200);
    const report = json as DoctorReport;
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'approval signing keys')?.status).toBe('ok');
    expect(report.checks.find((c) => c.name === 'secret databricks-dev-ops-client-secret')).toMatchObject({
      environment: 'dev',
      status: 'ok',
    });
    const text = JSON.stringify(report);
    const signingKey = app.settings.BRICKLANE_APPROVAL_SIGNING_KEYS ?? '';
    const clientSecret =
      world.azure.vault('KeyVault-MyProject-Dev').getSecret('databricks-dev-ops-client-secret') ?? '';
    expect(signingKey.length).toBeGreaterThanOrEqual(32);
    expect(text).not.toContain(signingKey);
    expect(text).not.toContain(clientSecret);
    expect(text).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
  });

  it('limits the report to one environment, and answers 400 for an unknown one', async () => {
    const dev = await app.call('GET', 'doctor?env=dev');
    expect(dev.status).toBe(200);
    expect((dev.json as DoctorReport).checks.some((c) => c.environment === 'dev')).toBe(true);
    const unknown = await app.call('GET', 'doctor?env=staging');
    expect(unknown.status).toBe(400);
    expect((unknown.json as { error: string }).error).toContain('environment "staging" is not configured');
  });
});
