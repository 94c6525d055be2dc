// Test infrastructure tests: the host stand-in serves a real @azure/functions app over HTTP.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Azurite } from '../../emulator/Azurite';
import { FunctionHost } from './FunctionHost';
import { loadFunctionApp } from './loadFunctionApp';

let azurite: Azurite;
let host: FunctionHost;

beforeAll(async () => {
  azurite = await Azurite.start();
  const app = await loadFunctionApp(join(__dirname, 'fixtures', 'sampleApp.ts'));
  host = await FunctionHost.start({
    app,
    storageConnectionString: azurite.connectionString,
    settings: { SAMPLE_SETTING: 'from-host' },
  });
});

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
});

describe('registration capture', () => {
  it('captures every function with its trigger metadata through the real @azure/functions', async () => {
    const app = host.app;
    expect(app.get('releaseOrchestration')?.triggerType).toBe('orchestrationTrigger');
    expect(app.get('double')?.triggerType).toBe('activityTrigger');
    expect(app.get('bundleUploaded')?.triggerType).toBe('blobTrigger');
    expect(app.get('startRelease')?.http).toEqual({
      route: 'releases/{name}',
      methods: ['POST'],
      authLevel: 'function',
    });
    expect(app.get('secret')?.http?.authLevel).toBe('function');
    // @azure/functions 4 defaults to anonymous and GET+POST when app.http() omits them (trigger.http).
    expect(app.get('nothing')?.http).toEqual({ route: 'nothing', methods: ['GET'], authLevel: 'anonymous' });
    expect(app.get('startRelease')?.extraInputs.map((b) => b.type)).toEqual(['durableClient']);
    expect(app.get('whoAmI')?.extraInputs.map((b) => b.type)).toEqual(['durableClient']);
  });

  it('returns the same app for the same entry module', async () => {
    expect(await loadFunctionApp(join(__dirname, 'fixtures', 'sampleApp.ts'))).toBe(host.app);
  });

  it('applies app settings to process.env while running', () => {
    expect(process.env.SAMPLE_SETTING).toBe('from-host');
    expect(process.env.AzureWebJobsStorage).toBe(azurite.connectionString);
  });
});

describe('HTTP functions', () => {
  it('passes route params, catch-all, query, headers and the raw body bytes, and returns the response', async () => {
    const body = Buffer.from([0x7b, 0x00, 0xff, 0x0a, 0x7d]);
    const response = await fetch(`${host.url}/api/echo/42/a/b%20c?x=1&x=2&y=z`, {
      method: 'POST',
      headers: {
        'x-ms-client-principal-name': 'alice@example.com',
        'content-type': 'application/octet-stream',
      },
      body,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.get('set-cookie')).toBe('session=abc; HttpOnly');
    const json = (await response.json()) as Record<string, unknown>;
    expect(json).toMatchObject({
      method: 'POST',
      id: '42',
      rest: 'a/b c',
      query: { x: '2', y: 'z' },
      principal: 'alice@example.com',
      bodyHex: body.toString('hex'),
    });
    expect(json.url).toBe(`${host.url}/api/echo/42/a/b%20c?x=1&x=2&y=z`);
  });

  it('matches routes case-insensitively and rejects unknown routes and methods with 404', async () => {
    expect((await fetch(`${host.url}/API/Echo/7`)).status).toBe(201);
    expect((await fetch(`${host.url}/api/nowhere`)).status).toBe(404);
    expect((await fetch(`${host.url}/api/echo/7`, { method: 'DELETE' })).status).toBe(404);
  });

  it('builds req.user from App Service authentication headers', async () => {
    const principal = Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [] })).toString('base64');
    const response = await fetch(`${host.url}/api/echo/1`, {
      headers: {
        'x-ms-client-principal': principal,
        'x-ms-client-principal-id': 'id-1',
        'x-ms-client-principal-name': 'bob@example.com',
        'x-ms-client-principal-idp': 'aad',
      },
    });
    const json = (await response.json()) as { user: Record<string, unknown> };
    expect(json.user).toMatchObject({
      type: 'AppService',
      id: 'id-1',
      username: 'bob@example.com',
      identityProvider: 'aad',
    });
  });

  it('answers 204 when the handler returns nothing and 500 when it throws', async () => {
    expect((await fetch(`${host.url}/api/nothing`)).status).toBe(204);
    const broken = await fetch(`${host.url}/api/broken`);
    expect(broken.status).toBe(500);
    expect(host.logs.some((l) => l.message.includes('handler failed'))).toBe(true);
  });
});

describe('function keys', () => {
  it('rejects a function-level route without a key, or with a wrong one, with 401', async () => {
    expect((await fetch(`${host.url}/api/secret`)).status).toBe(401);
    expect((await fetch(`${host.url}/api/secret?code=wrong`)).status).toBe(401);
    expect((await fetch(`${host.url}/api/secret`, { headers: { 'x-functions-key': 'wrong' } })).status).toBe(
      401,
    );
  });

  it('accepts the function key in ?code= or x-functions-key, and the master key', async () => {
    const byQuery = await fetch(`${host.url}/api/secret?code=${encodeURIComponent(host.functionKey)}`);
    expect(byQuery.status).toBe(200);
    expect(await byQuery.text()).toBe('the secret');
    expect(
      (await fetch(`${host.url}/api/secret`, { headers: { 'x-functions-key': host.functionKey } })).status,
    ).toBe(200);
    expect((await fetch(`${host.url}/api/secret?code=${encodeURIComponent(host.masterKey)}`)).status).toBe(
      200,
    );
  });

  it('protects the durable webhooks with the system key', async () => {
    expect((await fetch(`${host.url}/runtime/webhooks/durabletask/instances/`)).status).toBe(401);
    const ok = await fetch(
      `${host.url}/runtime/webhooks/durabletask/instances/?code=${encodeURIComponent(host.systemKey)}`,
    );
    expect(ok.status).toBe(200);
  });
});

describe('other triggers', () => {
  it('invokes a blob-triggered function with the durable client binding', async () => {
    const instanceId = await host.invokeFunction('bundleUploaded', Buffer.from('abcd'), { name: 'b.zip' });
    expect(typeof instanceId).toBe('string');
    const status = await host.durable.waitFor(String(instanceId), 'Completed');
    expect(status.output).toEqual({ child: 8 });
  });
});
