// Deliveries of one push that reach a worker together share one start: the durable client (real,
// durable-functions 3.5) calls the extension's HTTP API (a stand-in that records each call) once for the
// start, and every delivery answers the same release. Found by the burst test, where half the redeliveries
// arrive at the same moment as their first delivery and raced it to the extension.
import { BlobServiceClient } from '@azure/storage-blob';
import * as df from 'durable-functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/loadSettings';
import { beginRelease } from '../../../src/functions/beginRelease';
import { releaseInputFor } from '../../../src/release/releaseInputFor';
import { AuditStore } from '../../../src/azure/AuditStore';
import { Azurite } from '../../emulator/Azurite';
import { FakeDurableApi } from '../../emulator/FakeDurableApi';

let durable: FakeDurableApi;
let azurite: Azurite;

const client = (): df.DurableClient => df.getClient(durable.invocationContext('githubWebhook'));

beforeAll(async () => {
  [durable, azurite] = await Promise.all([FakeDurableApi.start(), Azurite.start()]);
  Object.assign(process.env, {
    BRICKLANE_ENVIRONMENTS: 'dev',
    BRICKLANE_DEV_DATABRICKS_AUTH: 'token',
    BRICKLANE_DEV_WORKSPACE_URL: 'https://adb-1.1.azuredatabricks.net',
    BRICKLANE_DEV_DATABRICKS_TOKEN: 'dapi-test',
    // A start writes the release's first audit record, beside the ledger.
    BRICKLANE_LEDGER_CONNECTION: azurite.connectionString,
  });
});
afterAll(async () => {
  await durable?.stop();
  await azurite?.stop();
});

/** The release's records in dev's audit trail. */
const trail = async (releaseId: string): Promise<object[]> =>
  (
    await new AuditStore(BlobServiceClient.fromConnectionString(azurite.connectionString)).read('dev')
  ).events.filter((e) => (e as { releaseId?: string }).releaseId === releaseId);

const release = (commit: string) =>
  releaseInputFor(loadSettings(process.env), {
    fetch: { kind: 'github', repository: 'contoso/lakehouse', commit },
    source: { kind: 'github', commit, ref: 'refs/heads/main', repository: 'contoso/lakehouse' },
  });

describe('beginRelease', () => {
  it('starts once for deliveries that arrive together; each answers the same release', async () => {
    const input = release('a'.repeat(40));
    const answers = await Promise.all(
      Array.from({ length: 3 }, () => beginRelease(client(), input, 'https://bricklane.example.net')),
    );
    expect(durable.starts.filter((s) => s.instanceId === input.releaseId)).toHaveLength(1);
    expect(answers.filter((a) => a.started)).toHaveLength(1);
    for (const answer of answers) expect(answer.releaseId).toBe(input.releaseId);
    expect(answers.filter((a) => !a.started).map((a) => a.runtimeStatus)).toEqual(['Pending', 'Pending']);
    // The start's audit record, written before the start: once (the deliveries shared the start).
    expect(await trail(input.releaseId)).toMatchObject([
      {
        kind: 'started',
        environment: 'dev',
        source: { kind: 'github', commit: 'a'.repeat(40), repository: 'contoso/lakehouse' },
        environments: ['dev'],
      },
    ]);
  });

  it('lets a waiting delivery start on its own when the shared start failed', async () => {
    const input = release('b'.repeat(40));
    durable.startFaults.push(503);
    const [first, second] = await Promise.allSettled([
      beginRelease(client(), input, 'https://bricklane.example.net'),
      beginRelease(client(), input, 'https://bricklane.example.net'),
    ]);
    expect(first.status).toBe('rejected');
    expect(second).toMatchObject({ status: 'fulfilled', value: { started: true } });
    expect(durable.starts.filter((s) => s.instanceId === input.releaseId)).toHaveLength(1);
    // Both attempts wrote the record; it has one id, and readers keep one.
    expect(await trail(input.releaseId)).toHaveLength(1);
  });
});
