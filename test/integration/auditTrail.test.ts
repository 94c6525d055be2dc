// The audit trail of a full release through the sandbox: the real function app on the local host stand-in, the
// durable replay, the emulated Azure and Databricks, Azurite. Dev deploys, QA and Prod each wait for an approval
// given through the real decision route. Each environment's trail then lists the release's events in the order
// they happened, once each, read through GET /api/audit (JSON Lines, paged, function key) and `bricklane audit`,
// and holds no secret: no vault value, no signing or function key, no signed link.
import { BlobServiceClient } from '@azure/storage-blob';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_CONTAINER } from '../../src/azure/AuditStore';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import { CONTINUATION_HEADER } from '../../src/functions/getAudit';
import type { AuditEvent } from '../../src/release/AuditEvent';
import type { ReleaseView, StageView } from '../../src/release/releaseView';
import { stageBundle } from '../../src/sources/stageBundle';
import { vaultSecrets } from '../chaos/runChaosRelease';
import { LocalWorld } from '../sandbox/LocalWorld';
import { runCliCaptured } from '../sandbox/runCliCaptured';
import { SandboxApp } from '../sandbox/SandboxApp';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');
const ENVIRONMENTS = ['dev', 'qa', 'prod'];

type View = Omit<ReleaseView, 'stages'> & { stages: StageView[] };

describe('the audit trail of a full sandbox release', () => {
  let world: LocalWorld;
  let app: SandboxApp;
  let releaseId = '';
  let bundleId = '';
  const links: string[] = [];

  const view = async (): Promise<View> => (await app.call('GET', `releases/${releaseId}`)).json as View;
  const waitFor = async (predicate: (r: View) => boolean, what: string): Promise<View> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await view();
      if (predicate(r)) return r;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(r)}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  };
  const approve = async (env: string): Promise<void> => {
    const r = await waitFor(
      (x) => x.stages.find((s) => s.environment === env)?.state === 'waiting',
      `${env} waiting`,
    );
    const url = r.stages.find((s) => s.environment === env)?.approvalUrl ?? '';
    links.push(url);
    // An approver acts on the notice, which the notify activity sends after it recorded the request. (The status
    // page shows the link as the wait begins: a click there can come before the notice and its record.)
    const deadline = Date.now() + 30_000;
    while (!(await trailOf(env)).some((e) => e.kind === 'approvalRequested')) {
      if (Date.now() > deadline) throw new Error(`no approvalRequested record in ${env}`);
      await new Promise((done) => setTimeout(done, 50));
    }
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `decision=approve&comment=${encodeURIComponent(`${env} looks good`)}`,
    });
    expect(answer.status).toBe(200);
  };
  /** GET /api/audit with the function key (or without it), as the raw answer. */
  const audit = (query: string, key = true): Promise<Response> =>
    fetch(`${app.url}/api/audit?${query}${key ? `&code=${encodeURIComponent(app.host.functionKey)}` : ''}`);
  const lines = async (response: Response): Promise<AuditEvent[]> =>
    (await response.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEvent);
  const trailOf = async (env: string): Promise<AuditEvent[]> =>
    (await lines(await audit(`environment=${env}`))).filter((e) => e.releaseId === releaseId);

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ENVIRONMENTS });
    app = await SandboxApp.start(world);
    const storage = new ReleaseStorage(
      BlobServiceClient.fromConnectionString(world.azurite.connectionString),
    );
    bundleId = (await stageBundle(storage, ARTIFACTS)).bundleId;
    const started = await app.call('POST', 'releases', { bundleId });
    expect(started.status).toBe(202);
    releaseId = (started.json as { releaseId: string }).releaseId;
    await approve('qa');
    await approve('prod');
    const done = await waitFor((r) => r.runtimeStatus === 'Completed', 'the release to end');
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
  });
  afterAll(async () => {
    await app?.stop();
    await world?.stop();
  });

  it('lists every event of each environment in order, once each', async () => {
    const release = await view();
    for (const env of ENVIRONMENTS) {
      const events = await trailOf(env);
      const gated = env !== 'dev';
      expect(
        events.map((e) => e.kind),
        env,
      ).toEqual(['started', 'planned', ...(gated ? ['approvalRequested', 'approval'] : []), 'stageFinished']);
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      const stage = release.stages.find((s) => s.environment === env);
      const [started, planned] = events;
      expect(started).toMatchObject({
        kind: 'started',
        bundleId,
        environments: ENVIRONMENTS,
        source: { kind: 'manual' },
      });
      // The plan the approval asked for and the stage applied, named by its hash.
      expect(planned).toMatchObject({ kind: 'planned', bundleId, planId: stage?.plans?.applied });
      expect((planned as { changes: number }).changes).toBeGreaterThan(0);
      if (gated) {
        expect(events[2]).toMatchObject({ kind: 'approvalRequested', planId: stage?.plans?.applied });
        expect(events[3]).toMatchObject({
          kind: 'approval',
          decision: 'approve',
          approver: 'anonymous (link holder)',
          comment: `${env} looks good`,
          principal: { authenticated: false, via: 'anyone' },
        });
      }
      expect(events.at(-1)).toMatchObject({
        kind: 'stageFinished',
        state: 'succeeded',
        at: stage?.finishedAt,
        outcome: stage?.outcome,
      });
      // Times never go back along the trail of one release.
      const times = events.map((e) => e.at);
      expect([...times].sort()).toEqual(times);
    }
  });

  it('answers JSON Lines behind the function key, paged with a continuation token', async () => {
    const all = await audit('environment=qa');
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(all.headers.get(CONTINUATION_HEADER)).toBeNull();
    const everything = await lines(all);
    expect(everything.length).toBeGreaterThanOrEqual(5);

    const pages: AuditEvent[][] = [];
    let next: string | null = '';
    while (next !== null) {
      const page = await audit(
        `environment=qa&limit=2${next ? `&continuation=${encodeURIComponent(next)}` : ''}`,
      );
      expect(page.status).toBe(200);
      next = page.headers.get(CONTINUATION_HEADER);
      pages.push(await lines(page));
    }
    expect(pages[0]).toHaveLength(2);
    expect(pages.flat()).toEqual(everything);

    // `since`: only what happened from then on (QA's approval and its end).
    const approval = everything.find((e) => e.kind === 'approval');
    const since = await lines(await audit(`environment=qa&since=${encodeURIComponent(approval?.at ?? '')}`));
    expect(since.map((e) => e.kind)).toEqual(['approval', 'stageFinished']);

    expect((await audit('environment=qa', false)).status).toBe(401);
  });

  it.each([
    ['', /environment: required/],
    ['environment=staging', /environment: environment "staging" is not configured/],
    ['environment=qa&since=yesterday', /since: "yesterday" is not an ISO 8601 time/],
    ['environment=qa&since=2026-13-45T99:00:00Z', /since: .* is not an ISO 8601 time/],
    ['environment=qa&limit=0', /limit: "0" is not a whole number from 1 to 5000/],
    ['environment=qa&limit=5001', /limit: "5001"/],
    ['environment=qa&continuation=bm90IGEgdG9rZW4', /continuation: not a token from a previous page/],
  ])('refuses %j with a 400 naming the parameter', async (query, says) => {
    const answer = await audit(query);
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: string }).error).toMatch(says);
  });

  it('prints the trail with bricklane audit, in words or as the same JSON Lines', async () => {
    const text = await runCliCaptured(world, ['audit', '--env', 'prod']);
    expect(text.code, text.stderr).toBe(0);
    const ours = text.stdout.split('\n').filter((l) => l.includes(releaseId));
    expect(ours.map((l) => l.split(/\s{2}/)[2])).toEqual([
      'started',
      'planned',
      'approvalRequested',
      'approval',
      'stageFinished',
    ]);
    expect(text.stdout).toContain('approved by anonymous (link holder) (anyone): "prod looks good"');
    expect(text.stdout).toMatch(/stageFinished {2}succeeded \(\d+ done, 0 failed, 0 skipped\)/);

    const json = await runCliCaptured(world, ['audit', '--env', 'prod', '--json']);
    expect(json.code).toBe(0);
    const fromCli = json.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(fromCli).toEqual(await lines(await audit('environment=prod')));
    const limited = await runCliCaptured(world, ['audit', '--env', 'prod', '--json', '--limit', '2']);
    expect(limited.stdout.split('\n').filter(Boolean)).toHaveLength(2);

    expect((await runCliCaptured(world, ['audit'])).code).toBe(2);
    const bad = await runCliCaptured(world, ['audit', '--env', 'prod', '--since', 'soon']);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringMatching(/since: "soon" is not an ISO 8601 time/),
    ]);
    const unknown = await runCliCaptured(world, ['audit', '--env', 'staging']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/"staging" is not configured/)]);
  });

  it('holds no secret: no vault value, key, token or signed link', async () => {
    const service = BlobServiceClient.fromConnectionString(world.azurite.connectionString);
    const container = service.getContainerClient(AUDIT_CONTAINER);
    let text = '';
    for await (const blob of container.listBlobsFlat())
      text += (await container.getBlobClient(blob.name).downloadToBuffer()).toString('utf8');
    // The scan sees what it scans: every environment's trail, with the release in it.
    for (const env of ENVIRONMENTS) expect(text).toContain(`"environment":"${env}"`);
    expect(text).toContain(releaseId);
    const secrets = ENVIRONMENTS.flatMap((env) =>
      vaultSecrets(env, world.azure.findVault(world.names(env).keyVault)),
    );
    expect(secrets.length).toBeGreaterThan(0);
    for (const { name, value } of secrets) expect(text, name).not.toContain(value);
    for (const key of app.settings.BRICKLANE_APPROVAL_SIGNING_KEYS?.split(',') ?? [])
      expect(text).not.toContain(key);
    expect(text).not.toContain(app.host.functionKey);
    expect(links).toHaveLength(2);
    for (const link of links) expect(text).not.toContain(link.slice(link.lastIndexOf('/') + 1));
    expect(text).not.toMatch(/eyJ[\w-]{8,}\.eyJ/);
    expect(text).not.toMatch(/https?:\/\//);
  });
});
