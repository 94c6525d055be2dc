// Test infrastructure: the contract suite. The official SDK (@databricks/sdk-experimental 0.17.0), given only
// a workspace URL and a token, and bricklane's DatabricksWorkspaceClient run the same table of calls
// (contractCalls.ts) against the emulator. A row fails on any divergence: the endpoint the emulator saw
// (path; a wrong method is 405), the fields a caller reads back, the error_code, or a page missed.
import { ApiError, WorkspaceClient } from '@databricks/sdk-experimental';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabricksApiError } from '../../src/databricks/DatabricksApiError';
import { DatabricksWorkspaceClient } from '../../src/databricks/DatabricksWorkspaceClient';
import { StaticTokenCredential } from '../../src/databricks/StaticTokenCredential';
import { DatabricksEmulator } from '../emulator/DatabricksEmulator';
import type { JsonValue } from '../emulator/JsonValue';
import { collect, contractCalls } from './contractCalls';
import type { ContractContext, ContractOutcome } from './contractCalls';

const token = DatabricksEmulator.defaultToken;
let emulator: DatabricksEmulator;

beforeAll(async () => {
  // Cluster states stay put for the suite (PENDING after create, TERMINATING after delete).
  emulator = await DatabricksEmulator.start({ rateLimits: false, clusterTransitionInMs: 600_000 });
  for (const name of ['sdk', 'bricklane', 'sdk-quirks']) await emulator.addWorkspace(name);
});
afterAll(() => emulator.stop());

/**
 * The workspace URL as ARM would report it: an origin, no path. The SDK sets the request path itself
 * (`url.pathname = path` in its dist/api-client.js), so a path prefix could not reach the emulator at all.
 */
function originOf(name: string): string {
  const url = emulator.workspaceUrl(name);
  expect(new URL(url).pathname).toBe('/');
  return url;
}

/** What a runner did: its value, or the error_code it failed with. */
async function outcomeOf(run: () => Promise<JsonValue>): Promise<ContractOutcome> {
  try {
    return { returns: await run() };
  } catch (error) {
    if (error instanceof ApiError) return { errorCode: error.errorCode };
    if (error instanceof DatabricksApiError) return { errorCode: error.code };
    throw error;
  }
}

/** The endpoints (path after /api/) a workspace was called on since `before`. */
function endpointsSince(workspace: string, before: Record<string, number>): string[] {
  const after = emulator.counters(workspace).byEndpoint;
  return Object.keys(after).filter((endpoint) => after[endpoint] !== before[endpoint]);
}

describe.each(['sdk', 'bricklane'] as const)('the %s client against the emulator', (clientName) => {
  const ctx: ContractContext = { clusterId: '', otherClusterId: '', jobId: -1, otherJobId: -1, handle: -1 };
  let sdk: WorkspaceClient;
  let bricklane: DatabricksWorkspaceClient;

  beforeAll(() => {
    const url = originOf(clientName);
    // Only a URL and a token (authType 'pat', so the SDK tries no other credential): no prefix, no rewriting.
    sdk = new WorkspaceClient({ host: url, token, authType: 'pat' });
    bricklane = new DatabricksWorkspaceClient(url, new StaticTokenCredential(token));
  });

  it.each(contractCalls)('$name', async (call) => {
    call.arrange?.(emulator.workspace(clientName), ctx);
    const before = { ...emulator.counters(clientName).byEndpoint };
    const outcome = await outcomeOf(() =>
      clientName === 'sdk' ? call.sdk(sdk, ctx) : call.bricklane(bricklane, ctx),
    );
    const local = clientName === 'bricklane' && call.bricklaneRefusesLocally === true;
    expect(endpointsSince(clientName, before)).toEqual(local ? [] : [call.endpoint]);
    expect(outcome).toEqual(clientName === 'bricklane' ? (call.bricklaneExpect ?? call.expect) : call.expect);
  });
});

// Where the SDK itself misbehaves (checked against its code, node_modules/@databricks/sdk-experimental 0.17.0):
// - It ignores Retry-After: dist/retries/retries.js waits its own exponential backoff with jitter, and
//   dist/api-client.js throws a bare RetriableError, never reading the response's headers.
// - It does not retry 503 (its README says it retries 429 and 503): dist/apierr.js isRetryable() is true for
//   429 and otherwise only when the message matches a "transient error" string.
// - It drops idempotency_token from clusters/create: dist/apis/compute/api.js _create copies the documented
//   fields one by one, and idempotency_token is not among them (nor in CreateCluster in model.d.ts).
// - Its files.upload sends no body: dist/apis/files/api.js _upload sets `const body = undefined` and never reads
//   `contents`, so the file it writes is empty (bricklane's uploadFile sends the bytes).
// - Its jobs.get answers one page of a large job (dist/apis/jobs/api.js _get); the caller follows
//   next_page_token (the contract row does, bricklane's getJob joins the pages).
describe('where the SDK misbehaves', () => {
  it('drops idempotency_token: two creates with one token make two clusters (bricklane makes one)', async () => {
    const url = originOf('sdk-quirks');
    const sdk = new WorkspaceClient({ host: url, token, authType: 'pat' });
    const bricklane = new DatabricksWorkspaceClient(url, new StaticTokenCredential(token));
    const spec = {
      cluster_name: 'quirk',
      spark_version: '15.4.x-scala2.12',
      node_type_id: 'Standard_DS3_v2',
    };
    const withToken = { ...spec, idempotency_token: 'one-token' } as typeof spec;
    const sdkIds = [
      (await sdk.clusters.create(withToken)).cluster_id,
      (await sdk.clusters.create(withToken)).cluster_id,
    ];
    expect(new Set(sdkIds).size).toBe(2);
    const options = { idempotencyToken: 'other-token' };
    const ids = [await bricklane.createCluster(spec, options), await bricklane.createCluster(spec, options)];
    expect(new Set(ids).size).toBe(1);
  });

  it('drops the contents of files.upload: the file it writes is empty (bricklane writes the bytes)', async () => {
    const url = originOf('sdk-quirks');
    const root = '/Volumes/main/quirks/scripts';
    emulator.workspace('sdk-quirks').addVolume(root);
    const sdk = new WorkspaceClient({ host: url, token, authType: 'pat' });
    const bricklane = new DatabricksWorkspaceClient(url, new StaticTokenCredential(token));
    const bytes = Buffer.from('#!/bin/bash\necho init\n');
    // The SDK types `contents` as the DOM's ReadableStream; Node's web stream is the same object at run time.
    type Contents = NonNullable<Parameters<typeof sdk.files.upload>[0]['contents']>;
    const contents = new Blob([bytes]).stream() as unknown as Contents;
    await sdk.files.upload({ file_path: `${root}/sdk.sh`, contents, overwrite: true });
    await bricklane.uploadFile(`${root}/bricklane.sh`, bytes);
    const files = emulator.workspace('sdk-quirks').volumes;
    expect(files.file(`${root}/sdk.sh`).bytes.length).toBe(0);
    expect(files.file(`${root}/bricklane.sh`).bytes).toEqual(bytes);
  });

  it('ignores Retry-After: after a 429 asking for 5 s it retries within its own ~1-1.75 s backoff', async () => {
    const sdk = new WorkspaceClient({ host: originOf('sdk-quirks'), token, authType: 'pat' });
    emulator.faults({ sequence: ['429'], retryAfterSeconds: 5, workspaces: ['sdk-quirks'] });
    const before = emulator.counters('sdk-quirks').byEndpoint['2.1/clusters/list'] ?? 0;
    const started = performance.now();
    await collect(sdk.clusters.list({}));
    const elapsedInMs = performance.now() - started;
    emulator.clearFaults();
    expect(emulator.counters('sdk-quirks').byEndpoint['2.1/clusters/list']).toBe(before + 2);
    expect(elapsedInMs).toBeLessThan(4000);
  });

  it('does not retry a 503: the first injected 503 reaches the caller', async () => {
    const url = originOf('sdk-quirks');
    const sdk = new WorkspaceClient({ host: url, token, authType: 'pat' });
    emulator.faults({ sequence: ['503'], workspaces: ['sdk-quirks'] });
    const failed = await sdk.clusters.get({ cluster_id: 'any' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    emulator.clearFaults();
    expect(failed).toBeInstanceOf(ApiError);
    expect((failed as ApiError).statusCode).toBe(503);
  });
});
