// Unit tests: the service container keeps an environment's resolved connection for CONNECTION_TTL_IN_MS,
// resolves it again after that or once it was dropped, and always asks again when provisioning.
import { describe, expect, it } from 'vitest';
import type { TokenCredential } from '@azure/core-auth';
import { CONNECTION_TTL_IN_MS, createAppServices } from '../../../src/services/appServices';

const SETTINGS = {
  BRICKLANE_ENVIRONMENTS: 'dev',
  BRICKLANE_DEV_DATABRICKS_AUTH: 'token',
  BRICKLANE_DEV_WORKSPACE_URL: 'https://adb-1234567890123456.7.azuredatabricks.net',
  BRICKLANE_DEV_DATABRICKS_TOKEN: 'dapi-test-token-value',
  BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true',
};
const NO_CREDENTIAL: TokenCredential = { getToken: () => Promise.resolve(null) };

describe('appServices connections', () => {
  it('reuses a connection until it expires or is forgotten, and never for provisioning', async () => {
    let now = 1_000_000;
    const services = createAppServices(
      SETTINGS,
      () => NO_CREDENTIAL,
      () => now,
    );
    const first = await services.connectionFor('dev', { create: false });
    expect(first.connected.workspace?.url).toBe(SETTINGS.BRICKLANE_DEV_WORKSPACE_URL);
    expect(await services.connectionFor('dev', { create: false })).toBe(first);

    now += CONNECTION_TTL_IN_MS - 1;
    expect(await services.connectionFor('dev', { create: false })).toBe(first);
    now += 1;
    const second = await services.connectionFor('dev', { create: false });
    expect(second).not.toBe(first);

    services.forgetConnection('dev');
    const third = await services.connectionFor('dev', { create: false });
    expect(third).not.toBe(second);

    const provisioned = await services.connectionFor('dev', { create: true });
    expect(provisioned).not.toBe(third);
    expect(await services.connectionFor('dev', { create: false })).toBe(provisioned);
  });

  it('keeps no connection when resolving it fails', async () => {
    const services = createAppServices(SETTINGS, () => NO_CREDENTIAL);
    await expect(services.connectionFor('qa', { create: false })).rejects.toThrow(/"qa" is not configured/);
    expect((await services.connectionFor('dev', { create: false })).env.name).toBe('dev');
  });
});
