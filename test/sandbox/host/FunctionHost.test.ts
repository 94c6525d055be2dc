// Test infrastructure tests: the host stand-in serves a real @azure/functions app over HTTP.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Azurite } from '../../emulator/Azurite';
import { FunctionHost } from './FunctionHost';
import { EventType } from './HistoryEvent';
import { FunctionTimeoutError } from './invokeWithTimeout';
import { loadFunctionApp } from './loadFunctionApp';
import { parseTimeSpan } from './readFunctionTimeout';

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

  it('forwards a body only with Content-Length > 0: a chunked request reaches the function empty', async () => {
    const bytes = new TextEncoder().encode('{"signed":"payload"}');
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const response = await fetch(`${host.url}/api/echo/1`, {
      method: 'POST',
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(201);
    expect(((await response.json()) as { bodyHex: string }).bodyHex).toBe('');
    const sized = await fetch(`${host.url}/api/echo/1`, { method: 'POST', body: bytes });
    expect(((await sized.json()) as { bodyHex: string }).bodyHex).toBe(Buffer.from(bytes).toString('hex'));
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

describe('the function timeout from host.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'host-json-'));
  let timed: FunctionHost;

  const hostJson = (functionTimeout: string | undefined): string => {
    const path = join(dir, `host-${functionTimeout ?? 'unset'}.json`.replace(/[:.]/g, '_'));
    writeFileSync(path, JSON.stringify({ version: '2.0', ...(functionTimeout ? { functionTimeout } : {}) }));
    return path;
  };

  beforeAll(async () => {
    timed = await FunctionHost.start({
      app: host.app,
      storageConnectionString: azurite.connectionString,
      taskHubName: 'timeouts',
      hostJsonPath: hostJson('00:00:01'),
    });
  });

  afterAll(async () => {
    await timed?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("defaults to Flex Consumption's 30 minutes, and reads hh:mm:ss, d.hh:mm:ss and -1 (none)", () => {
    expect(host.functionTimeoutInMs).toBe(30 * 60 * 1000);
    expect(timed.functionTimeoutInMs).toBe(1000);
    expect(parseTimeSpan('01:30:00')).toBe(90 * 60 * 1000);
    expect(parseTimeSpan('1.00:00:05')).toBe(24 * 3600 * 1000 + 5000);
    expect(parseTimeSpan('-1')).toBe(-24 * 3600 * 1000);
    expect(parseTimeSpan('five minutes')).toBeUndefined();
  });

  it('refuses to start with a timeout the host refuses, saying what to write', async () => {
    const start = (functionTimeout: string): Promise<FunctionHost> =>
      FunctionHost.start({
        app: host.app,
        storageConnectionString: azurite.connectionString,
        hostJsonPath: hostJson(functionTimeout),
      });
    await expect(start('00:00:00.500')).rejects.toThrow(/must be greater than 00:00:01/);
    await expect(start('ten minutes')).rejects.toThrow(/write it as "hh:mm:ss"/);
  });

  it('fails an HTTP invocation that outlasts it with 500', async () => {
    const response = await fetch(`${timed.url}/api/sleepy`);
    expect(response.status).toBe(500);
    expect(timed.logs.map((l) => l.message)).toContainEqual(
      expect.stringContaining("Timeout value of 00:00:01 exceeded by function 'Functions.sleepy'"),
    );
    // Without the timeout (the default host) the same function answers.
    expect(await (await fetch(`${host.url}/api/sleepy`)).text()).toBe('too late');
  });

  it('fails a blob-triggered invocation that outlasts it', async () => {
    await expect(timed.invokeFunction('slowBlob', Buffer.from('x'), { name: 'x' })).rejects.toThrow(
      new FunctionTimeoutError('Timeout value of 00:00:01 was exceeded by function: Functions.slowBlob'),
    );
  });

  it('fails an activity attempt that outlasts it, and the retry policy runs the next attempt', async () => {
    const started = await fetch(
      `${timed.durableClientInput().rpcBaseUrl}orchestrators/timeoutRetried/timeout-retried`,
      { method: 'POST' },
    );
    expect(started.status).toBe(202);
    const done = await timed.durable.waitFor('timeout-retried', ['Completed', 'Failed']);
    expect(done).toMatchObject({ runtimeStatus: 'Completed', output: 'woke' });
    const failed = timed.durable
      .history('timeout-retried')
      .filter((e) => e.EventType === EventType.TaskFailed);
    expect(failed.map((e) => e.Reason)).toEqual([
      "Activity function 'sleepOnce' failed: Timeout value of 00:00:01 was exceeded by function: Functions.sleepOnce",
    ]);
  });
});
