import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalDecisionRecord } from '../../../src/approvals/ApprovalDecisionRecord';
import { DecisionStore, decisionBlobName } from '../../../src/approvals/DecisionStore';
import { readStagePlan, stagePlanBlobName } from '../../../src/approvals/readStagePlan';
import type { DeployPlan } from '../../../src/planning/DeployPlan';
import { Azurite } from '../../emulator/Azurite';

const decision = (overrides: Partial<ApprovalDecisionRecord> = {}): ApprovalDecisionRecord => ({
  releaseId: 'release-1',
  environment: 'qa',
  waitId: '1790000000',
  decision: 'approve',
  approver: 'alice@contoso.com',
  // The stable identity behind the name, read back like every other field.
  approverObjectId: '6f1d2c3b-0a9e-4c8d-9b7a-1e2f3a4b5c6d',
  approverDisplayName: 'Alice Smith',
  comment: 'ship it',
  decidedAt: '2026-11-25T10:00:00.000Z',
  ...overrides,
});

describe('DecisionStore against Azurite', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await Azurite.start();
  });
  afterAll(async () => {
    await azurite.stop();
  });
  const storeIn = (containerName?: string): DecisionStore =>
    new DecisionStore(BlobServiceClient.fromConnectionString(azurite.connectionString), containerName);

  it('records the first decision and reports it to every later one', async () => {
    const store = storeIn();
    expect(await store.read('release-1', 'qa')).toBeUndefined();
    const first = await store.record(decision());
    expect(first).toMatchObject({ recorded: true, etag: expect.any(String) });
    const second = await store.record(decision({ decision: 'reject', approver: 'bob@contoso.com' }));
    // With the record's ETag, so that the one who finds it can note its delivery on that very record.
    expect(second).toEqual({ recorded: false, alreadyDecided: decision(), etag: expect.any(String) });
    expect(await store.read('release-1', 'qa')).toEqual(decision());
    // Another environment of the same release is decided separately.
    expect(await store.record(decision({ environment: 'prod' }))).toMatchObject({ recorded: true });
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient('bricklane-approvals')
      .getBlockBlobClient('decisions/release-1/qa.json');
    expect(JSON.parse((await blob.downloadToBuffer()).toString('utf8'))).toEqual(decision());
  });

  it('lets exactly one of many concurrent clicks win', async () => {
    const store = storeIn('race');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.record(decision({ releaseId: 'race', approver: `user${i}` })),
      ),
    );
    const winners = results.filter((r) => r.recorded);
    expect(winners).toHaveLength(1);
    const winner = (await store.read('race', 'qa'))?.approver;
    for (const r of results) if (!r.recorded) expect(r.alreadyDecided.approver).toBe(winner);
  });

  it('with a quorum keeps one vote per approver: each approver once, however many clicks race', async () => {
    const store = storeIn('votes');
    const vote = (approver: string, comment: string): ApprovalDecisionRecord =>
      decision({ releaseId: 'quorum', approver, comment, approverObjectId: undefined });
    const clicks = await Promise.all([
      ...Array.from({ length: 4 }, (_, i) => store.record(vote('alice', `alice ${i}`), 'name:alice')),
      ...Array.from({ length: 4 }, (_, i) => store.record(vote('bob', `bob ${i}`), 'name:bob')),
    ]);
    // One winner per approver, and nobody's vote blocks another's.
    expect(clicks.slice(0, 4).filter((r) => r.recorded)).toHaveLength(1);
    expect(clicks.slice(4).filter((r) => r.recorded)).toHaveLength(1);
    expect((await store.read('quorum', 'qa', 'name:alice'))?.approver).toBe('alice');
    expect((await store.read('quorum', 'qa', 'name:bob'))?.approver).toBe('bob');
    // The single decision of a wait without a quorum is another record, untouched.
    expect(await store.read('quorum', 'qa')).toBeUndefined();
    expect(decisionBlobName('quorum', 'qa', 'oid:6f1d2c3b/x')).toBe(
      'decisions/quorum/qa/oid%3A6f1d2c3b%2Fx.json',
    );
  });

  it('replaces a decision left by an earlier wait of the same release (a re-run), once', async () => {
    const store = storeIn('rerun');
    await store.record(decision({ waitId: '100' }));
    const rerun = decision({ waitId: '200', decision: 'reject', approver: 'bob' });
    expect(await store.record(rerun)).toMatchObject({ recorded: true });
    expect(await store.record(decision({ waitId: '200' }))).toEqual({
      recorded: false,
      alreadyDecided: rerun,
      etag: expect.any(String),
    });
  });

  it('notes a delivery on the very record it read, and only there', async () => {
    const store = storeIn('delivered');
    const first = await store.record(decision());
    if (!first.recorded) throw new Error('not recorded');
    await store.markDelivered(decision(), first.etag);
    const found = await store.record(decision({ approver: 'bob' }));
    expect(found).toMatchObject({
      recorded: false,
      alreadyDecided: { approver: decision().approver, delivered: true },
    });
    // A stale ETag (the record changed since) changes nothing and throws nothing.
    await store.markDelivered({ ...decision(), comment: 'stale' }, first.etag);
    expect(await store.read(decision().releaseId, decision().environment)).not.toHaveProperty(
      'comment',
      'stale',
    );
  });

  it('withdraws only the record it wrote', async () => {
    const store = storeIn('withdraw');
    const first = await store.record(decision());
    if (!first.recorded) throw new Error('expected a record');
    await store.withdraw('release-1', 'qa', '"0x8DEADBEEF"');
    expect(await store.read('release-1', 'qa')).toEqual(decision());
    await store.withdraw('release-1', 'qa', first.etag);
    expect(await store.read('release-1', 'qa')).toBeUndefined();
    await store.withdraw('release-1', 'qa', first.etag); // already gone: no error
    expect(await store.record(decision({ approver: 'carol' }))).toMatchObject({ recorded: true });
  });

  it('keeps release ids with special characters in one folder', async () => {
    const store = storeIn('names');
    expect(decisionBlobName('a/b c', 'qa')).toBe('decisions/a%2Fb%20c/qa.json');
    await store.record(decision({ releaseId: 'a/b c' }));
    expect(await store.read('a/b c', 'qa')).toMatchObject({
      releaseId: 'a/b c',
      approver: 'alice@contoso.com',
    });
    expect(await store.read('a', 'qa')).toBeUndefined();
  });
});

describe('readStagePlan against Azurite', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await Azurite.start();
  });
  afterAll(async () => {
    await azurite.stop();
  });

  it('reads the stored plan, and gives undefined when there is none or it is not a plan', async () => {
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    expect(await readStagePlan(service, 'r1', 'qa')).toBeUndefined(); // no container yet
    const container = service.getContainerClient('bricklane-releases');
    await container.createIfNotExists();
    const none = { create: 0, update: 0, unchanged: 0, delete: 0, drift: 0 };
    const plan: DeployPlan = {
      version: 1,
      environment: 'qa',
      steps: [{ key: 'jobs.a', kind: 'jobs', action: 'create', wave: 3, target: 'a', reason: 'new' }],
      summary: {
        initScripts: none,
        clusters: none,
        notebooks: none,
        files: none,
        jobs: { ...none, create: 1 },
      },
    };
    const text = JSON.stringify(plan);
    expect(stagePlanBlobName('r1', 'qa')).toBe('plans/r1/qa.json');
    await container.getBlockBlobClient('plans/r1/qa.json').upload(text, Buffer.byteLength(text));
    expect(await readStagePlan(service, 'r1', 'qa')).toEqual(plan);
    expect(await readStagePlan(service, 'r1', 'prod')).toBeUndefined();
    await container.getBlockBlobClient('plans/r1/prod.json').upload('{"oops"', 7);
    expect(await readStagePlan(service, 'r1', 'prod')).toBeUndefined();
  });
});
