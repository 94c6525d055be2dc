// Integration: the callExternalCheck activity against an external check endpoint over HTTPS (the emulators'
// certificate, trusted through NODE_EXTRA_CA_CERTS): the request bricklane sends, the answers it accepts
// (strictly), and that the check's URL (its key in the query, its user:password) never reaches a result.
import { BlobServiceClient } from '@azure/storage-blob';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askExternalCheck, callExternalCheck, parseAnswer } from '../../src/activities/callExternalCheck';
import type { CallExternalCheckInput } from '../../src/activities/contracts';
import { AuditStore } from '../../src/azure/AuditStore';
import { Azurite } from '../emulator/Azurite';
import { ExternalCheckServer } from '../emulator/ExternalCheckServer';

const KEY = 'k3y-0f-the-gate';
/** A port nothing listens on (one just given back). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
const BODY = { release: 'r-1', environment: 'prod', bundle: 'b-1', check: 'gate', attempt: 1 };

describe('callExternalCheck against an HTTPS endpoint', () => {
  let server: ExternalCheckServer;
  let azurite: Azurite;
  beforeAll(async () => {
    [server, azurite] = await Promise.all([ExternalCheckServer.start(), Azurite.start()]);
  });
  afterAll(async () => {
    await server?.stop();
    await azurite?.stop();
  });

  it('posts the release as JSON and takes pass and fail with their messages', async () => {
    server.script('/gate', { status: 'fail', message: 'CHG0042\nis not approved' }, { status: 'pass' });
    expect(await askExternalCheck(server.url('/gate', `code=${KEY}`), BODY)).toEqual({
      outcome: 'fail',
      message: 'CHG0042 is not approved',
    });
    expect(await askExternalCheck(server.url('/gate', `code=${KEY}`), BODY)).toEqual({ outcome: 'pass' });
    const [first] = server.requests('/gate');
    expect(first).toEqual({ body: BODY, query: `code=${KEY}` });
  });

  it('sends user:password from the URL as Basic authorization, never in the URL', async () => {
    server.script('/basic', { status: 'pass' });
    const url = server.url('/basic').replace('https://', 'https://ops:s%3Acret@');
    expect(await askExternalCheck(url, BODY)).toEqual({ outcome: 'pass' });
    expect(server.requests('/basic')[0]?.authorization).toBe(
      `Basic ${Buffer.from('ops:s:cret').toString('base64')}`,
    );
  });

  it.each([
    [{ http: 503 }, 'answered HTTP 503; the contract is HTTP 200 with {"status":"pass"|"fail"}'],
    [{ http: 302 }, 'answered HTTP 302; the contract is HTTP 200 with {"status":"pass"|"fail"}'],
    [{ http: 200, body: { status: 'ok' } }, 'answered "status": "ok"; it must be "pass" or "fail"'],
    [{ http: 200, body: { result: 'pass' } }, 'answered "status": nothing; it must be "pass" or "fail"'],
    [{ http: 200, body: { status: 'pass', message: 7 } }, 'answered a "message" that is not a string'],
  ] as const)(
    'an answer outside the contract is an error that says what was wrong: %j',
    async (answer, message) => {
      server.script('/odd', answer);
      expect(await askExternalCheck(server.url('/odd', `code=${KEY}`), BODY)).toEqual({
        outcome: 'error',
        message,
      });
    },
  );

  it('an endpoint that answers too late, or not at all, is an error without its URL', async () => {
    server.script('/slow', { delayInMs: 500, then: { status: 'pass' } });
    const slow = await askExternalCheck(server.url('/slow', `code=${KEY}`), BODY, { timeoutInMs: 100 });
    expect(slow).toEqual({ outcome: 'error', message: 'did not answer within 0.1 s' });
    const closed = await askExternalCheck(`https://127.0.0.1:${await closedPort()}/gate?code=${KEY}`, BODY);
    expect(closed).toEqual({ outcome: 'error', message: 'could not be reached (ECONNREFUSED)' });
  });

  it('parses strictly: no JSON, not an object, too large', async () => {
    expect(parseAnswer('pass')).toEqual({
      outcome: 'error',
      message: 'answered no JSON ("pass"); the contract is {"status":"pass"|"fail","message":"..."}',
    });
    expect(parseAnswer('["pass"]').outcome).toBe('error');
    expect(parseAnswer('{"status":"fail"}')).toEqual({ outcome: 'fail' });
    const huge = new Response('x'.repeat(70_000), { status: 200 });
    const big = await askExternalCheck(server.url('/gate'), BODY, { fetch: () => Promise.resolve(huge) });
    expect(big).toEqual({ outcome: 'error', message: 'answered more than 64 KB' });
  });

  it('as an activity: reads the URL from the settings by its place and name, and never returns it', async () => {
    Object.assign(process.env, {
      BRICKLANE_ENVIRONMENTS: 'prod',
      BRICKLANE_PROD_DATABRICKS_AUTH: 'token',
      BRICKLANE_PROD_WORKSPACE_URL: 'https://adb-2.azuredatabricks.net',
      BRICKLANE_PROD_DATABRICKS_TOKEN: 'dapi-prod',
      // Each answer is recorded in the environment's audit trail, beside the ledger.
      BRICKLANE_LEDGER_CONNECTION: azurite.connectionString,
      BRICKLANE_PROD_EXTERNAL_CHECKS: `${server.url('/quiet')} ${server.url('/change', `code=${KEY}`)}`,
    });
    server.script('/change', { status: 'fail', message: 'freeze until Monday' });
    const input: CallExternalCheckInput = {
      releaseId: 'release-1',
      bundleId: 'bundle-1',
      environment: 'prod',
      check: 1,
      name: '127.0.0.1:' + new URL(server.url('/')).port + '/change',
      attempt: 2,
      source: { kind: 'github', commit: 'abc', repository: 'contoso/etl', requestedBy: 'dev@contoso.com' },
      plan: { notebooks: { create: 2 } },
    };
    const result = await callExternalCheck(input);
    expect(result).toEqual({ outcome: 'fail', message: 'freeze until Monday' });
    expect(server.requests('/change')[0]?.body).toEqual({
      release: 'release-1',
      environment: 'prod',
      bundle: 'bundle-1',
      check: input.name,
      attempt: 2,
      source: input.source,
      plan: input.plan,
    });
    // The list changed since the release started: the check at that place has another name.
    const moved = await callExternalCheck({ ...input, check: 0 });
    expect(moved.outcome).toBe('error');
    expect(moved.message).toContain('BRICKLANE_PROD_EXTERNAL_CHECKS changed since the release started');
    expect(JSON.stringify([result, moved])).not.toContain(KEY);
    // The audit trail has both answers as policy checks, by the check's name (never its URL or key).
    const trail = await new AuditStore(BlobServiceClient.fromConnectionString(azurite.connectionString)).read(
      'prod',
    );
    expect(trail.events).toMatchObject([
      {
        kind: 'policy',
        releaseId: 'release-1',
        policy: `check:${input.name}`,
        state: 'failing',
        message: 'freeze until Monday',
      },
      { kind: 'policy', releaseId: 'release-1', state: 'error' },
    ]);
    expect(JSON.stringify(trail)).not.toContain(KEY);
  });
});
