// The workspace check's reading of real Databricks answers, with the network faulted by injecting fetch.
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/loadSettings';
import type { EnvironmentSettings, Settings } from '../../../src/config/Settings';
import { checkWorkspaceAccess } from '../../../src/doctor/checkWorkspaceAccess';
import { checkNotifyUrl } from '../../../src/doctor/checkNotifyUrl';

const runtime = { inAzure: false, easyAuthEnabled: false };

function tokenSettings(extra: Record<string, string> = {}): Settings {
  return loadSettings({
    BRICKLANE_ENVIRONMENTS: 'dev',
    BRICKLANE_DEV_DATABRICKS_AUTH: 'token',
    BRICKLANE_DEV_WORKSPACE_URL: 'https://adb-1234567890123456.7.azuredatabricks.net',
    BRICKLANE_DEV_DATABRICKS_TOKEN: 'dapi-test-token-value',
    BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true',
    ...extra,
  });
}

function dev(settings: Settings): EnvironmentSettings {
  const env = settings.environments.find((e) => e.name === 'dev');
  if (!env) throw new Error('no dev environment');
  return env;
}

function answering(status: number, body: unknown, seen: string[] = []): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    seen.push(`${init?.method ?? 'GET'} ${String(input)}`);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

describe('checkWorkspaceAccess', () => {
  it('proves sign-in with one workspace/get-status of /', async () => {
    const settings = tokenSettings();
    const seen: string[] = [];
    const env = dev(settings);
    const check = await checkWorkspaceAccess(settings, env, {
      runtime,
      fetch: answering(200, { object_type: 'DIRECTORY', path: '/' }, seen),
    });
    expect(check.status).toBe('ok');
    expect(seen).toEqual([
      'GET https://adb-1234567890123456.7.azuredatabricks.net/api/2.0/workspace/get-status?path=%2F',
    ]);
  });

  it('reads 403 "Invalid access token." as a bad token, not as missing permissions (databricks-sdk-go #873)', async () => {
    const settings = tokenSettings();
    const check = await checkWorkspaceAccess(settings, dev(settings), {
      runtime,
      fetch: answering(403, { error_code: 403, message: 'Invalid access token.' }),
    });
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('rejected the token');
    expect(check.fix).toContain('create a token');
    expect(JSON.stringify(check)).not.toContain('dapi-test-token-value');
  });

  it('reads any other 403 as missing workspace access', async () => {
    const settings = tokenSettings();
    const check = await checkWorkspaceAccess(settings, dev(settings), {
      runtime,
      fetch: answering(403, { error_code: 'PERMISSION_DENIED', message: 'User is not in the workspace.' }),
    });
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('lacks access');
    expect(check.fix).toContain('workspace access');
  });
});

describe('checkNotifyUrl', () => {
  const env = dev(
    tokenSettings({ BRICKLANE_DEV_NOTIFY_URL: 'https://hooks.slack.com/services/T0/B0/secretpart' }),
  );

  it('sends a HEAD, never a POST, and shows only the origin', async () => {
    const seen: string[] = [];
    const check = await checkNotifyUrl(env, { runtime, fetch: answering(400, {}, seen) });
    expect(seen).toEqual(['HEAD https://hooks.slack.com/services/T0/B0/secretpart']);
    expect(check.status).toBe('ok');
    expect(check.detail).toBe(
      'https://hooks.slack.com answered a HEAD with HTTP 400 (reachable; nothing was posted)',
    );
  });

  it('fails when nothing answers in time', async () => {
    const slow = (async (_: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      })) as typeof fetch;
    const check = await checkNotifyUrl(env, { runtime, fetch: slow, timeoutInMs: 50 });
    expect(check.status).toBe('fail');
    expect(check.detail).toBe(
      'cannot reach https://hooks.slack.com (no answer within 50 ms): notices would be lost',
    );
    expect(JSON.stringify(check)).not.toContain('secretpart');
  });
});
