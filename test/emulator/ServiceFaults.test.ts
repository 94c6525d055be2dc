// Test infrastructure: seeded faults in every emulated Azure service and the source hosts, seen through the
// real SDK clients and product fetchers where that is cheap: what each fault does, in each service's own
// error shape, and that the same seed gives the same faults.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchGitHubArchive } from '../../src/sources/fetchGitHubArchive';
import { SourceFetchError } from '../../src/sources/SourceFetchError';
import { identityEndpointFor } from '../sandbox/IdentityEndpointProxy';
import { AzureEmulator } from './AzureEmulator';
import { DatabricksEmulator } from './DatabricksEmulator';
import { ServiceFaults } from './FaultInjector';
import { defaultFaults, parseFaultSpec } from './FaultSpec';
import { SourceHostEmulator } from './SourceHostEmulator';

const subscriptionId = '11111111-2222-4333-8444-555555555555';
const commit = 'c0ffee0000000000000000000000000000000001';

let databricks: DatabricksEmulator;
let azure: AzureEmulator;
let credential: ManagedIdentityCredential;

beforeAll(async () => {
  databricks = await DatabricksEmulator.start({ rateLimits: false });
  azure = await AzureEmulator.start({ databricks });
  // Through the sandbox's proxy, as the product sees the identity endpoint there.
  process.env.IDENTITY_ENDPOINT = await identityEndpointFor(azure.identityEndpoint, azure.identityHeader);
  process.env.IDENTITY_HEADER = azure.identityHeader;
  credential = new ManagedIdentityCredential();
  azure.assignRole(azure.managedIdentityPrincipalId, 'Contributor', `/subscriptions/${subscriptionId}`);
  azure.assignRole(
    azure.managedIdentityPrincipalId,
    'Key Vault Secrets User',
    `/subscriptions/${subscriptionId}`,
  );
  // The managed-identity token is fetched once and cached (process-wide), before any fault is scripted.
  await credential.getToken('https://management.azure.com/.default');
});
afterAll(async () => {
  for (const name of ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER']) Reflect.deleteProperty(process.env, name);
  await Promise.all([azure.stop(), databricks.stop()]);
});
// Each test scripts its own faults and reads its own requests.
beforeEach(() => {
  azure.clearFaults();
  azure.clearRequestLog();
});

/** Log lines without the host, for readable assertions. */
function requests(): string[] {
  return azure.requestLog().map((line) => line.replace(/https:\/\/127\.0\.0\.1:\d+/, ''));
}

describe('ServiceFaults', () => {
  it('draws the same faults for the same seed, one stream per service', () => {
    const draw = (faults: ServiceFaults, interleave: boolean): string[] =>
      Array.from({ length: 200 }, (_, index) => {
        if (interleave) faults.decide('keyvault', '/secrets/x', false);
        const decision = faults.decide('arm', `/r/${index}`, index % 2 === 0);
        return `${decision?.kind ?? '-'}:${decision?.latencyInMs ?? 0}`;
      });
    const run = (seed: number, interleave: boolean): string[] => {
      const faults = new ServiceFaults();
      faults.set(defaultFaults, seed);
      return draw(faults, interleave);
    };
    const first = run(1, false);
    const [again, interleaved, otherSeed] = [run(1, false), run(1, true), run(2, false)];
    expect(again).toEqual(first);
    expect(interleaved).toEqual(first);
    expect(otherSeed).not.toEqual(first);
    // The default preset's kinds all occur over 200 requests, and spikes add their latency.
    expect(new Set(first.map((entry) => entry.split(':')[0]))).toEqual(
      new Set(['-', '500', '503', '429', 'reset-before', 'reset-after', 'lost']),
    );
    expect(first.some((entry) => entry.endsWith(':800'))).toBe(true);
  });

  it('loses only the answers of writes, and leaves services outside the spec alone', () => {
    const faults = new ServiceFaults();
    faults.set(parseFaultSpec('lost=1,services=arm'), 3);
    expect(faults.decide('arm', '/r', false)?.kind).toBeUndefined();
    expect(faults.decide('arm', '/r', true)?.kind).toBe('lost');
    expect(faults.decide('keyvault', '/secrets/x', true)).toBeUndefined();
    expect(faults.injected()).toEqual({ arm: { lost: 1 } });
  });
});

describe('Databricks', () => {
  it('answers a lost write 504 DEADLINE_EXCEEDED after applying it, and lets reads through', async () => {
    await databricks.addWorkspace('lost');
    const call = (path: string, body?: object): Promise<Response> =>
      fetch(`${databricks.workspaceUrl('lost')}/api/2.0/${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${DatabricksEmulator.defaultToken}` },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    databricks.faults({ sequence: ['lost', 'lost'] });
    const lost = await call('workspace/mkdirs', { path: '/Shared/lost' });
    expect(lost.status).toBe(504);
    expect(await lost.json()).toMatchObject({ error_code: 'DEADLINE_EXCEEDED' });
    const read = await call('workspace/get-status?path=/Shared/lost');
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ object_type: 'DIRECTORY', path: '/Shared/lost' });
    databricks.clearFaults();
  });
});

describe('ARM', () => {
  it('applies a resource group PUT whose connection is reset after applying, once; the retried PUT finds it', async () => {
    azure.scriptFaults('arm', ['reset-after'], ['/subscriptions/*']);
    const client = new ResourceManagementClient(credential, subscriptionId, { endpoint: azure.armEndpoint });
    const group = await client.resourceGroups.createOrUpdate('Faulted-Group', { location: 'westeurope' });
    expect(group.name).toBe('Faulted-Group');
    // The first PUT created it (its 201 was never delivered); the SDK's retry updated it (200).
    expect(requests().map((line) => line.split('?')[0])).toEqual([
      `reset PUT /subscriptions/${subscriptionId}/resourcegroups/Faulted-Group`,
      `200 PUT /subscriptions/${subscriptionId}/resourcegroups/Faulted-Group`,
    ]);
    expect(azure.snapshot().resourceGroups.filter((g) => g.name === 'Faulted-Group')).toHaveLength(1);
  });

  it("answers injected faults in ARM's error shape, with Retry-After on 429 and 503, and a lost write as 504 after applying", async () => {
    const token = (await credential.getToken('https://management.azure.com/.default')).token;
    const url = `${azure.armEndpoint}/subscriptions/${subscriptionId}/resourcegroups/Lost-Group?api-version=2021-04-01`;
    const put = (): Promise<Response> =>
      fetch(url, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ location: 'westeurope' }),
      });
    azure.scriptFaults('arm', ['429', '503', 'lost']);
    const throttled = await put();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(await throttled.json()).toMatchObject({ error: { code: 'SubscriptionRequestsThrottled' } });
    const unavailable = await put();
    expect([unavailable.status, unavailable.headers.get('retry-after')]).toEqual([503, '1']);
    expect(await unavailable.json()).toMatchObject({ error: { code: 'ServiceUnavailable' } });
    expect(azure.snapshot().resourceGroups.some((g) => g.name === 'Lost-Group')).toBe(false);
    const lost = await put();
    expect(lost.status).toBe(504);
    expect(await lost.json()).toMatchObject({ error: { code: 'GatewayTimeout' } });
    expect(azure.snapshot().resourceGroups.some((g) => g.name === 'Lost-Group')).toBe(true);
  });
});

describe('Key Vault', () => {
  it("serves a SecretClient read retried through an injected 503, in Key Vault's error shape", async () => {
    const vault = await azure.createKeyVault({
      subscriptionId,
      resourceGroup: 'Vault-Group',
      name: 'KeyVault-Faults',
    });
    vault.setSecret('databricks-dev-ops-client-id', 'the-client-id');
    const client = new SecretClient(vault.uri, credential, { disableChallengeResourceVerification: true });
    azure.scriptFaults('keyvault', ['503']);
    const secret = await client.getSecret('databricks-dev-ops-client-id');
    expect(secret.value).toBe('the-client-id');
    const vaultRequests = requests().filter((line) => line.includes('/secrets/'));
    expect(vaultRequests.map((line) => line.split(' ')[0])).toEqual(['503', '401', '200']);

    azure.scriptFaults('keyvault', ['429']);
    const throttled = await fetch(`${vault.uri}secrets/x?api-version=7.4`);
    expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([429, '1']);
    expect(await throttled.json()).toMatchObject({ error: { code: 'Throttled' } });
  });
});

describe('Entra ID and the managed-identity endpoint', () => {
  it("answers token faults in Entra's OAuth error shape, and ClientSecretCredential gets its token through them", async () => {
    const sp = azure.addServicePrincipal();
    azure.scriptFaults('token', ['429']);
    const refused = await fetch(`${azure.authorityHost}/${azure.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '1']);
    expect(await refused.json()).toMatchObject({
      error: 'temporarily_unavailable',
      error_description: expect.stringContaining('temporarily too busy') as string,
    });

    azure.scriptFaults('token', ['500', 'reset-before']);
    const spCredential = new ClientSecretCredential(azure.tenantId, sp.clientId, sp.clientSecret, {
      authorityHost: azure.authorityHost,
      disableInstanceDiscovery: true,
    });
    const token = await spCredential.getToken('https://management.azure.com/.default');
    expect(token.token).toMatch(/^ey/);
    expect(requests().map((line) => line.split(' ')[0])).toEqual(['429', '500', 'reset', '200', '200']);
  });

  it("passes the identity endpoint's faults through the sandbox proxy: Retry-After kept, a reset stays a reset", async () => {
    const proxied = process.env.IDENTITY_ENDPOINT ?? '';
    const ask = (): Promise<Response> =>
      fetch(`${proxied}?api-version=2019-08-01&resource=https://vault.azure.net`, {
        headers: { 'x-identity-header': azure.identityHeader },
      });
    azure.scriptFaults('identity', ['503', 'reset-before']);
    const unavailable = await ask();
    expect([unavailable.status, unavailable.headers.get('retry-after')]).toEqual([503, '1']);
    expect(await unavailable.json()).toMatchObject({ error: 'temporarily_unavailable' });
    await expect(ask()).rejects.toThrow(/fetch failed/);
    expect((await ask()).status).toBe(200);
  });
});

describe('source hosts', () => {
  let hosts: SourceHostEmulator;
  let dir: string;

  beforeAll(async () => {
    hosts = await SourceHostEmulator.start();
    hosts.addGitHubRepo('contoso/bundles', { commits: { [commit]: { 'README.md': 'hello' } } });
    dir = await mkdtemp(join(tmpdir(), 'bricklane-source-faults-'));
  });
  afterAll(async () => {
    await hosts.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails archive downloads with seeded 5xx, 429 and resets as transient (retried) errors, the same per seed', async () => {
    const outcomes = async (seed: number): Promise<string[]> => {
      hosts.injectFaults(parseFaultSpec('5xx=0.3,429=0.2,reset-before=0.1,services=source'), seed);
      const results: string[] = [];
      for (let attempt = 0; attempt < 8; attempt += 1) {
        try {
          await fetchGitHubArchive(
            { apiUrl: hosts.githubApiUrl },
            'contoso/bundles',
            commit,
            join(dir, `a${attempt}`),
          );
          results.push('ok');
        } catch (error) {
          expect(error).toBeInstanceOf(SourceFetchError);
          expect((error as SourceFetchError).permanent).toBe(false);
          results.push((error as SourceFetchError).code);
        }
      }
      return results;
    };
    const first = await outcomes(5);
    expect(await outcomes(5)).toEqual(first);
    expect(first).toContain('ok');
    expect(first.some((outcome) => outcome !== 'ok')).toBe(true);
    expect(Object.values(hosts.injectedFaults()).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
  });
});
