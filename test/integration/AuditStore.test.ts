import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_CONTAINER, AuditContinuationError, AuditStore } from '../../src/azure/AuditStore';
import { auditEventId, type AuditEventInput } from '../../src/release/AuditEvent';
import { Azurite } from '../emulator/Azurite';

describe('AuditStore against Azurite', () => {
  let azurite: Azurite;
  let service: BlobServiceClient;
  beforeAll(async () => {
    azurite = await Azurite.start();
    service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  });
  afterAll(async () => {
    await azurite.stop();
  });

  const policy = (environment: string, n: number, at?: string): AuditEventInput => ({
    id: auditEventId('r1', environment, 'policy', n),
    environment,
    releaseId: 'r1',
    kind: 'policy',
    policy: 'window',
    state: `s${n}`,
    ...(at ? { at } : {}),
  });
  const states = (events: object[]): string[] => events.map((e) => (e as { state: string }).state);
  const blobsOf = async (container: string): Promise<string[]> => {
    const names: string[] = [];
    for await (const b of service.getContainerClient(container).listBlobsFlat()) names.push(b.name);
    return names;
  };

  it('appends events to the day blob of the environment, reads them in order, one copy per id', async () => {
    const store = new AuditStore(service, { containerName: 'audit-order' });
    expect(await store.read('dev')).toEqual({ events: [] });
    await store.append(policy('dev', 1));
    await store.append(policy('dev', 2));
    await store.append(policy('dev', 1)); // a retried activity's second append
    await store.append(policy('qa', 3));
    const page = await store.read('dev');
    expect(states(page.events)).toEqual(['s1', 's2']);
    expect(page.continuation).toBeUndefined();
    expect(page.events[0]).toMatchObject({ v: 1, environment: 'dev', releaseId: 'r1', kind: 'policy' });
    expect(states((await store.read('qa')).events)).toEqual(['s3']);
    const day = new Date().toISOString().slice(0, 10);
    expect(await blobsOf('audit-order')).toEqual([`dev/${day}/00000.jsonl`, `qa/${day}/00000.jsonl`]);
    // Append blobs: the trail can only grow (Append Block), never be rewritten in place.
    const props = await service
      .getContainerClient('audit-order')
      .getBlobClient(`dev/${day}/00000.jsonl`)
      .getProperties();
    expect(props.blobType).toBe('AppendBlob');
    expect(props.contentType).toBe('application/x-ndjson');
  });

  it('takes concurrent appenders: every event lands once, whole', async () => {
    const store = new AuditStore(service, { containerName: 'audit-concurrent' });
    const other = new AuditStore(service, { containerName: 'audit-concurrent' });
    await Promise.all(
      Array.from({ length: 40 }, (_, n) => (n % 2 === 0 ? store : other).append(policy('prod', n))),
    );
    const { events } = await store.read('prod');
    expect(events.map((e) => e.id).sort()).toEqual(
      Array.from({ length: 40 }, (_, n) => auditEventId('r1', 'prod', 'policy', n)).sort(),
    );
  });

  it('rolls a full blob over to the next part, and a new day to a new blob; reads across them in order', async () => {
    let now = new Date('2026-12-05T23:59:00.000Z');
    const store = new AuditStore(service, {
      containerName: 'audit-roll',
      maxBlocksPerBlob: 3,
      now: () => now,
    });
    for (let n = 0; n < 7; n++) await store.append(policy('prod', n));
    now = new Date('2026-12-06T00:00:01.000Z');
    await store.append(policy('prod', 7));
    expect(await blobsOf('audit-roll')).toEqual([
      'prod/2026-12-05/00000.jsonl',
      'prod/2026-12-05/00001.jsonl',
      'prod/2026-12-05/00002.jsonl',
      'prod/2026-12-06/00000.jsonl',
    ]);
    // A new process finds the day's last part instead of starting again at 00000.
    now = new Date('2026-12-05T23:59:30.000Z');
    const restarted = new AuditStore(service, {
      containerName: 'audit-roll',
      maxBlocksPerBlob: 3,
      now: () => now,
    });
    await restarted.append(policy('prod', 8));
    expect(await blobsOf('audit-roll')).toHaveLength(4);
    expect(states((await store.read('prod')).events)).toEqual([
      's0',
      's1',
      's2',
      's3',
      's4',
      's5',
      's6',
      's8',
      's7',
    ]);
  });

  it('pages with limit and continuation, and reads only from `since` on', async () => {
    const store = new AuditStore(service, { containerName: 'audit-pages' });
    for (let n = 0; n < 5; n++) await store.append(policy('qa', n, `2026-12-05T10:00:0${n}.000Z`));
    const first = await store.read('qa', { limit: 2 });
    expect(states(first.events)).toEqual(['s0', 's1']);
    const second = await store.read('qa', { limit: 2, continuation: first.continuation ?? '' });
    expect(states(second.events)).toEqual(['s2', 's3']);
    const third = await store.read('qa', { limit: 2, continuation: second.continuation ?? '' });
    expect(states(third.events)).toEqual(['s4']);
    expect(third.continuation).toBeUndefined();
    const since = await store.read('qa', { since: new Date('2026-12-05T10:00:03.000Z') });
    expect(states(since.events)).toEqual(['s3', 's4']);
    // A day before the trail's first day reads everything; after its last, nothing.
    expect((await store.read('qa', { since: new Date('2026-01-01T00:00:00Z') })).events).toHaveLength(5);
    expect((await store.read('qa', { since: new Date('2099-01-01T00:00:00Z') })).events).toEqual([]);
    await expect(store.read('qa', { continuation: 'nonsense' })).rejects.toBeInstanceOf(
      AuditContinuationError,
    );
    // Another environment's token is refused, not followed into that trail.
    await expect(store.read('dev', { continuation: first.continuation ?? '' })).rejects.toBeInstanceOf(
      AuditContinuationError,
    );
  });

  it("keeps a ring target's trail by its key (prod.weu), continuation included", async () => {
    const store = new AuditStore(service, { containerName: 'audit-ring' });
    await store.append(policy('prod.weu', 1));
    await store.append(policy('prod.weu', 2));
    const first = await store.read('prod.weu', { limit: 1 });
    const rest = await store.read('prod.weu', { continuation: first.continuation ?? '' });
    expect(states([...first.events, ...rest.events])).toEqual(['s1', 's2']);
    expect((await store.read('prod')).events).toEqual([]);
  });

  it('uses the bricklane-audit container by default', async () => {
    await new AuditStore(service).append(policy('dev', 1));
    expect(await service.getContainerClient(AUDIT_CONTAINER).exists()).toBe(true);
  });
});
