// Rings through the sandbox (issue 16 part 3): the real function app on the local host stand-in, the durable
// replay, the emulated Databricks (token mode, each target its own workspace at its own origin) and Azurite.
// Prod is a ring of three (BRICKLANE_PROD_TARGETS=weu,neu,eus). What the test asserts about order is observed
// from outside the product: the emulator's write log (when each workspace applied each write) and the check
// runs' own times, never the release's status.
// With manual rollback (the default), a failed ring offers one signed rollback link per workspace that applied the
// release; each link's rollback release restores that workspace alone, to its own last known good.
import { BlobServiceClient } from '@azure/storage-blob';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerStore } from '../../src/azure/LedgerStore';
import type { StageStatus } from '../../src/release/ReleaseStatus';
import { rollbackReleaseId } from '../../src/release/rollbackInputFor';
import type { AppliedWrite } from '../emulator/DatabricksEmulator';
import { HttpsEndpoint } from '../emulator/HttpsEndpoint';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';
import {
  followRelease,
  releaseCheckBundle,
  signedRollbackLink,
  type ReleaseJson,
} from './releaseCheckBundle';

const TARGETS = ['prod.weu', 'prod.neu', 'prod.eus'] as const;
const FAILURE = 'AssertionError: the canary found no orders';

/**
 * A world whose Prod is the three-target ring (with `environments` before it), its app (Prod without approval), and
 * the emulator's log of every write, from the start. Each request takes a little while, as over a network: an
 * apply is a span of time, not an instant.
 */
function ringSandbox(environments: string[], settings: Record<string, string> = {}) {
  const sandbox = { world: undefined as unknown as LocalWorld, app: undefined as unknown as SandboxApp };
  const writes: AppliedWrite[] = [];
  const dirs: string[] = [];
  beforeAll(async () => {
    sandbox.world = await LocalWorld.start({
      environments: [...environments, 'prod'],
      auth: 'token',
      targets: { prod: ['weu', 'neu', 'eus'] },
      emulator: { latencyInMs: 15 },
    });
    sandbox.world.emulator.onWrite((write) => writes.push(write));
    sandbox.app = await SandboxApp.start(sandbox.world, {
      settings: { BRICKLANE_PROD_APPROVAL_REQUIRED: 'false', ...settings },
    });
  });
  afterAll(async () => {
    await sandbox.app?.stop();
    await sandbox.world?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const release = (smoke: string): ReturnType<typeof releaseCheckBundle> =>
    releaseCheckBundle(sandbox.world, sandbox.app, dirs, smoke);
  /** A release whose check fails in `target` (and passes in the rollback's run there), ended rolled back: its Prod. */
  const releaseFailingAt = async (target: string, smoke: string): Promise<StageStatus | undefined> => {
    sandbox.world.emulator.scriptRuns(target, 'smoke_test', [
      { result: 'FAILED', message: FAILURE, pendingInMs: 0, durationInMs: 0 },
      { result: 'SUCCESS', pendingInMs: 0, durationInMs: 0 },
    ]);
    const { view } = await release(smoke);
    expect([view.runtimeStatus, view.state], JSON.stringify(view)).toEqual(['Completed', 'rolledBack']);
    return view.stages.find((s) => s.environment === 'prod');
  };
  return { sandbox, writes, release, releaseFailingAt };
}

describe('a three-target Prod (BRICKLANE_PROD_TARGETS=weu,neu,eus)', () => {
  const { sandbox, writes, release, releaseFailingAt } = ringSandbox(['dev'], {
    BRICKLANE_PROD_ROLLBACK: 'auto',
  });

  /** When each workspace's writes began and ended, from `from` on (the emulator's log). */
  function windows(from: number): Record<string, { first: number; last: number; count: number }> {
    const out: Record<string, { first: number; last: number; count: number }> = {};
    for (const w of writes.slice(from)) {
      const span = (out[w.workspace] ??= { first: w.at, last: w.at, count: 0 });
      span.first = Math.min(span.first, w.at);
      span.last = Math.max(span.last, w.at);
      span.count += 1;
    }
    return out;
  }

  /** When the workspace's check runs ended, as the emulated Jobs API says (runs/get end_time). */
  function runEnds(workspace: string): number[] {
    const runs = sandbox.world.emulator.workspace(workspace).runs;
    return runs.records().map((r) => Number(runs.get(r.runId).end_time));
  }

  it('deploys the canary and runs its check first, then the other two in parallel; the page shows all three', async () => {
    const { world, app } = sandbox;
    const from = writes.length;
    const { id, view } = await release('assert True');
    expect([view.runtimeStatus, view.state], JSON.stringify(view)).toEqual(['Completed', 'succeeded']);
    const prod = view.stages.find((s) => s.environment === 'prod');
    expect(prod?.targets?.map((t) => [t.target, t.state])).toEqual(TARGETS.map((t) => [t, 'succeeded']));

    const span = windows(from);
    const [weu, neu, eus] = TARGETS.map((t) => span[t]);
    if (!weu || !neu || !eus) throw new Error(`a target got no writes: ${JSON.stringify(span)}`);
    // The canary's writes (its check's run-now the last of them) and its check run all ended before either of
    // the others wrote anything.
    const [canaryRunEnd] = runEnds('prod.weu');
    const othersFirst = Math.min(neu.first, eus.first);
    expect(weu.last).toBeLessThan(othersFirst);
    expect(canaryRunEnd).toBeGreaterThan(0);
    expect(canaryRunEnd).toBeLessThanOrEqual(othersFirst);
    // The two others applied at the same time: each began before the other ended.
    expect(neu.first).toBeLessThan(eus.last);
    expect(eus.first).toBeLessThan(neu.last);
    // Each workspace holds the bundle, and each target has its own last known good.
    for (const target of TARGETS) {
      expect(Object.keys(world.emulator.snapshot(target).notebooks)).toEqual(
        Object.keys(world.emulator.snapshot('dev').notebooks),
      );
    }
    const ledger = new LedgerStore(BlobServiceClient.fromConnectionString(world.azurite.connectionString));
    for (const target of TARGETS) expect(await ledger.lastKnownGood(target)).toMatchObject({ releaseId: id });

    const page = (await app.call('GET', `releases/${id}?format=html`)).json as string;
    // One row per target, each with its state: the page reads the status, which the test checked above.
    expect(page).toContain('Workspaces (3, canary first)');
    const rows = [
      ...page.matchAll(/<tr id="target-([^"]+)"><td><code>[^<]+<\/code>.*?<\/td><td>(<span[^>]*>)/g),
    ];
    expect(rows.map((m) => [m[1], /data-state="(\w+)"/.exec(m[2] ?? '')?.[1]])).toEqual(
      TARGETS.map((t) => [t, 'succeeded']),
    );
  });

  it('stops at a canary whose check fails: the others never start, and the canary rolls back to its last known good', async () => {
    const { world } = sandbox;
    const before = world.emulator.snapshot('prod.weu');
    const others = TARGETS.slice(1).map((t) => world.emulator.snapshot(t));
    const from = writes.length;
    const prod = await releaseFailingAt('prod.weu', 'assert 1 + 1 == 2');
    expect(prod?.state).toBe('rolledBack');
    expect(prod?.targets?.map((t) => [t.target, t.state])).toEqual([
      ['prod.weu', 'rolledBack'],
      ['prod.neu', 'skipped'],
      ['prod.eus', 'skipped'],
    ]);
    expect(prod?.targets?.[0]?.message).toMatch(
      new RegExp(`^check smoke_test failed: ${FAILURE}; rolled back to bundle `),
    );
    expect(prod?.targets?.[1]?.message).toBe('not started: prod.weu failed');
    // From outside: nothing was written to the two others, and the canary holds release 1's objects again.
    const span = windows(from);
    expect(Object.keys(span).sort()).toEqual(['dev', 'prod.weu']);
    const { runs: _runs, ...canaryNow } = world.emulator.snapshot('prod.weu');
    const { runs: _before, ...canaryBefore } = before;
    expect(canaryNow).toEqual(canaryBefore);
    expect(TARGETS.slice(1).map((t) => world.emulator.snapshot(t))).toEqual(others);
  });
});

describe('a ring that deploys one target at a time after the canary, with automatic rollback', () => {
  const { sandbox, writes, release, releaseFailingAt } = ringSandbox([], {
    BRICKLANE_PROD_TARGETS_PARALLEL: '1',
    BRICKLANE_PROD_ROLLBACK: 'auto',
  });

  it('never apply to one target at the same time, and each target ends with the newer bundle', async () => {
    const { world, app } = sandbox;
    // Started together: each is staged and started, then followed to its end.
    const released = await Promise.all(
      ['assert "one"', 'assert "two"'].map(async (body) => ({ body, ...(await release(body)) })),
    );
    const [older, newer] = released.sort((a, b) => a.view.startedAt.localeCompare(b.view.startedAt));
    if (!older || !newer) throw new Error('two releases expected');
    const ids = [older.id, newer.id];

    // Each release's applies per target, as the host ran them (the deployEnvironment instance `<release>:<target>`,
    // from its creation to its last update): never two at once on one target.
    for (const target of TARGETS) {
      const applies = ids.flatMap((id) =>
        app.host.durable
          .instances({ instanceIdPrefix: `${id}:${target}` })
          .filter((i) => i.instanceId === `${id}:${target}`)
          .map((i) => ({ id, from: Date.parse(i.createdTime), to: Date.parse(i.lastUpdatedTime) })),
      );
      expect(applies.length, target).toBeGreaterThan(0);
      applies.sort((a, b) => a.from - b.from);
      for (const [i, apply] of applies.entries()) {
        const next = applies[i + 1];
        if (!next) continue;
        expect(next.from, `${target}: ${apply.id} and ${next.id} overlap`).toBeGreaterThanOrEqual(apply.to);
        // The release that freed the target woke the one queued for it: no wait for its 30-second poll.
        expect(next.from - apply.to, `${target}: the queued release waited`).toBeLessThan(15_000);
      }
      // Every write to the target's workspace came inside one of those applies.
      for (const write of writes.filter(
        (w) => w.workspace === target && !w.endpoint.startsWith('2.2/jobs/run'),
      )) {
        expect(
          applies.some((a) => a.from <= write.at && write.at <= a.to),
          `${target} ${write.endpoint}`,
        ).toBe(true);
      }
    }
    // The newer bundle is what every target holds.
    expect(newer.view.state, JSON.stringify(newer.view)).toBe('succeeded');
    for (const target of TARGETS) {
      const path = Object.keys(world.emulator.snapshot(target).notebooks).find((p) => p.endsWith('/smoke'));
      const bytes = world.emulator.workspace(target).tree.find(path ?? '')?.bytes;
      expect(bytes?.toString('utf8'), target).toContain(newer.body);
    }
  });

  it('stops at a failed target after the canary: the next never starts, and every target that applied rolls back', async () => {
    const { world } = sandbox;
    const before = TARGETS.map((t) => world.emulator.snapshot(t));
    const from = writes.length;
    const prod = await releaseFailingAt('prod.neu', 'assert "three"');
    expect(prod?.targets?.map((t) => [t.target, t.state])).toEqual([
      ['prod.weu', 'rolledBack'],
      ['prod.neu', 'rolledBack'],
      ['prod.eus', 'skipped'],
    ]);
    // From outside: the canary and the failed target hold what they held before; nothing reached the third.
    const without = ({ runs: _runs, ...rest }: ReturnType<typeof world.emulator.snapshot>): object => rest;
    expect(TARGETS.map((t) => without(world.emulator.snapshot(t)))).toEqual(before.map(without));
    expect(new Set(writes.slice(from).map((w) => w.workspace))).toEqual(new Set(['prod.weu', 'prod.neu']));
  });
});

describe('a ring behind one approval', () => {
  const { sandbox, release } = ringSandbox([], {
    BRICKLANE_PROD_APPROVAL_REQUIRED: 'true',
    // The default, said outright: the test below needs prod.neu and prod.eus in one batch.
    BRICKLANE_PROD_TARGETS_PARALLEL: '4',
  });

  /**
   * The release's approval link, once Prod waits (from the status, as a notification carries it): a new release's,
   * or with `after` the last release's next one (it asks again).
   */
  async function approvalLink(after?: string): Promise<string> {
    const { app } = sandbox;
    const known = new Set(seen);
    for (let i = 0; i < 300; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const running = app.host.durable
        .instances()
        .find((s) =>
          after === undefined
            ? /^release-[^:]+$/.test(s.instanceId) && !known.has(s.instanceId)
            : s.instanceId === seen.at(-1),
        );
      if (!running) continue;
      const view = (await app.call('GET', `releases/${running.instanceId}`)).json as ReleaseJson & {
        stages: { state: string; approvalUrl?: string }[];
      };
      const url = view.stages[0]?.state === 'waiting' ? view.stages[0].approvalUrl : undefined;
      if (url && url !== after) {
        if (after === undefined) seen.push(running.instanceId);
        return url;
      }
    }
    throw new Error('Prod never waited for its approval');
  }
  const seen: string[] = [];

  async function approve(url: string): Promise<void> {
    const decided = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve&comment=the+whole+ring',
    });
    expect(decided.status).toBe(200);
  }

  it('asks once, on a page that shows the plan of each target, then deploys every target', async () => {
    const released = release('assert "approved"');
    const url = await approvalLink();
    const page = await (await fetch(url)).text();
    expect(page).toContain('Plan per workspace (3)');
    const sections = [
      ...page.matchAll(/<section class="target-plan" id="plan-([^"]+)">([\s\S]*?)<\/section>/g),
    ];
    expect(sections.map((s) => s[1])).toEqual([...TARGETS]);
    // A first deploy: every target's workspace gets the bundle's two notebooks and its job.
    for (const [, , body] of sections) {
      expect(body).toContain('create <code>notebooks.');
      expect(body).toContain('create <code>jobs.smoke_test</code>');
    }
    await approve(url);

    const { view } = await released;
    expect([view.runtimeStatus, view.state], JSON.stringify(view)).toEqual(['Completed', 'succeeded']);
    const prod = view.stages[0];
    expect(prod?.approval).toMatchObject({ decision: 'approve', comment: 'the whole ring' });
    expect(prod?.targets?.map((t) => [t.target, t.state])).toEqual(TARGETS.map((t) => [t, 'succeeded']));
  });

  it("shows the code change going to the ring: the canary's diff of the changed notebook", async () => {
    const released = release('assert "changed"');
    const url = await approvalLink();
    const page = await (await fetch(url)).text();
    const diff = /<section id="code-diff">([\s\S]*?)<\/section>/.exec(page)?.[1] ?? '';
    expect(diff).toContain('assert &quot;approved&quot;');
    expect(diff).toContain('assert &quot;changed&quot;');
    await approve(url);
    expect((await released).view.state).toBe('succeeded');
  });
  it('asks again for the targets not yet deployed when a workspace moved after the approval', async () => {
    const released = release('assert "moved"');
    const url = await approvalLink();
    // Someone edits prod.neu's smoke job by hand while the ring waits for its approval.
    const neu = sandbox.world.emulator.workspace('prod.neu');
    const job = neu.jobs.records().find((r) => r.settings['name'] === 'smoke_test');
    expect(job).toBeDefined();
    neu.jobs.update(
      job?.jobId ?? 0,
      { environments: [{ environment_key: 'default', spec: { environment_version: '3' } }] },
      [],
    );
    await approve(url);

    // The canary, then prod.neu and prod.eus together: prod.eus deploys; prod.neu wrote nothing to the moved job
    // and alone is planned and asked again.
    const again = await approvalLink(url);
    const page = await (await fetch(again)).text();
    const sections = new Map(
      [...page.matchAll(/<section class="target-plan" id="plan-([^"]+)">([\s\S]*?)<\/section>/g)].map((m) => [
        m[1],
        m[2] ?? '',
      ]),
    );
    expect(sections.get('prod.weu')).toContain('deployed in this release after an earlier approval');
    expect(sections.get('prod.eus')).toContain('deployed in this release after an earlier approval');
    expect(sections.get('prod.neu')).toContain('update <code>jobs.smoke_test</code>');
    await approve(again);

    const { view } = await released;
    expect([view.runtimeStatus, view.state], JSON.stringify(view)).toEqual(['Completed', 'succeeded']);
    expect(view.stages[0]?.targets?.map((t) => [t.target, t.state])).toEqual(
      TARGETS.map((t) => [t, 'succeeded']),
    );
    // The hand edit is gone: prod.neu runs the bundle's job again.
    const settings = neu.jobs.get(job?.jobId ?? 0)['settings'] as { environments?: unknown };
    expect(settings.environments).toEqual([
      { environment_key: 'default', spec: { environment_version: '2' } },
    ]);
  });
});

describe('a ring whose rollback is manual (the default), one target at a time after the canary', () => {
  const notices: string[] = [];
  let hook: HttpsEndpoint | undefined;
  // Read by ringSandbox's beforeAll, which runs after this one: the notice receiver's URL is known by then. Manual is
  // the default; it is set because the app's settings are the process's, where the blocks before set auto.
  const settings: Record<string, string> = {
    BRICKLANE_PROD_TARGETS_PARALLEL: '1',
    BRICKLANE_PROD_ROLLBACK: 'manual',
  };
  beforeAll(async () => {
    hook = await HttpsEndpoint.start((request) => {
      notices.push((JSON.parse(request.body.toString('utf8')) as { text: string }).text);
      return { status: 200 };
    });
    settings.BRICKLANE_PROD_NOTIFY_URL = `${hook.url}/prod`;
  });
  afterAll(() => hook?.stop());
  const { sandbox, release } = ringSandbox([], settings);

  const objects = (target: string): object => {
    const { runs: _runs, ...rest } = sandbox.world.emulator.snapshot(target);
    return rest;
  };
  const smokeOf = (target: string): string | undefined => {
    const path = Object.keys(sandbox.world.emulator.snapshot(target).notebooks).find((p) =>
      p.endsWith('/smoke'),
    );
    return sandbox.world.emulator
      .workspace(target)
      .tree.find(path ?? '')
      ?.bytes?.toString('utf8');
  };
  /** The rollback links on the release's status page: each target row's, and the card's at the top. */
  const offered = async (id: string): Promise<{ rows: Record<string, string>; card: string[] }> => {
    const html = (await sandbox.app.call('GET', `releases/${id}?format=html`)).json as string;
    const rows = Object.fromEntries(
      [...html.matchAll(/<tr id="target-([^"]+)">(.*?)<\/tr>/g)].flatMap(([, target, row]) => {
        const url = /href="([^"]*\/api\/rollbacks\/[^"]+)">Roll back /.exec(row ?? '')?.[1];
        return url ? [[target, url]] : [];
      }),
    );
    const section = /<section class="card rollback">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    const card = [...section.matchAll(/href="([^"]*\/api\/rollbacks\/[^"]+)"/g)].map((m) => m[1] ?? '');
    return { rows, card };
  };
  const post = (url: string, origin = sandbox.app.url) =>
    fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: 'confirm=rollback',
    });

  it('offers a link for each target that applied, and each restores its own workspace alone', async () => {
    const { world, app } = sandbox;
    const first = await release('assert "one"');
    expect(first.view.state, JSON.stringify(first.view)).toBe('succeeded');
    const afterFirst = Object.fromEntries(TARGETS.map((t) => [t, objects(t)]));
    // The failed target's check fails in the release, and passes in its rollback's run.
    world.emulator.scriptRuns('prod.neu', 'smoke_test', [
      { result: 'FAILED', message: FAILURE, pendingInMs: 0, durationInMs: 0 },
      { result: 'SUCCESS', pendingInMs: 0, durationInMs: 0 },
    ]);
    const second = await release('assert "two"');
    expect([second.view.runtimeStatus, second.view.state], JSON.stringify(second.view)).toEqual([
      'Completed',
      'failed',
    ]);
    const prod = second.view.stages.find((s) => s.environment === 'prod');
    expect(prod?.targets?.map((t) => [t.target, t.state])).toEqual([
      ['prod.weu', 'succeeded'],
      ['prod.neu', 'failed'],
      ['prod.eus', 'skipped'],
    ]);

    // The two that applied have a link on their row (the card lists the same two); the one not started has none.
    const links = await offered(second.id);
    expect(Object.keys(links.rows)).toEqual(['prod.weu', 'prod.neu']);
    expect(links.card).toEqual([links.rows['prod.weu'], links.rows['prod.neu']]);
    const neu = links.rows['prod.neu'] ?? '';
    const weu = links.rows['prod.weu'] ?? '';
    // So does Prod's failure notice, each link signed for its own target.
    const failedNotice = notices.find((n) => n.startsWith(`bricklane: prod failed for release ${second.id}`));
    const inNotice = [...(failedNotice ?? '').matchAll(/ Roll back (prod\.\w+): (\S+)(?= )/g)].map(
      (m) => m[1],
    );
    expect(inNotice, failedNotice).toEqual(['prod.weu', 'prod.neu']);
    expect(await offered(first.id)).toEqual({ rows: {}, card: [] });

    // The page says which workspace it restores, and to what; opening it changes nothing.
    const shown = await fetch(neu);
    const text = await shown.text();
    expect(shown.status, text).toBe(200);
    expect(text).toContain('<h1>Roll back Prod workspace prod.neu?</h1>');
    expect(text).toContain('<code>prod.neu</code>');
    expect(text).toContain('the only one of the ring this restores');
    expect(text).toContain(`bundle <code>${first.bundleId}</code> of release <code>${first.id}</code>`);
    expect(text).toContain(`check smoke_test failed: ${FAILURE}`);
    const rollbackId = rollbackReleaseId(second.id, 'prod.neu');
    expect(rollbackId).toBe(`rollback-prod.neu-${second.id}`);
    expect((await app.call('GET', `releases/${rollbackId}`)).status).toBe(404);

    // A link naming the ring itself rolls back nothing: one workspace per link.
    const whole = signedRollbackLink(app, [second.id, 'prod', first.bundleId]);
    const refused = await fetch(whole);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('prod is a ring of workspaces');
    // The ring's approvers confirm a workspace's rollback.
    process.env.BRICKLANE_PROD_APPROVERS = 'release-manager@contoso.example';
    try {
      expect((await post(neu)).status).toBe(403);
    } finally {
      delete process.env.BRICKLANE_PROD_APPROVERS;
    }

    const started = await post(neu);
    expect(started.status, await started.clone().text()).toBe(202);
    expect(await started.text()).toContain(`Release ${rollbackId} puts bundle ${first.bundleId}`);
    const again = await post(neu);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('Already rolling back');
    const view = await followRelease(app, rollbackId);
    expect([view.runtimeStatus, view.state], JSON.stringify(view)).toEqual(['Completed', 'rolledBack']);
    expect(view.bundleId).toBe(first.bundleId);
    expect(view.stages.map((s) => [s.environment, s.state])).toEqual([['prod.neu', 'rolledBack']]);
    // Checked in that workspace like any release of it: the rollback's own run of the check.
    expect(view.stages[0]?.checks).toMatchObject([{ job: 'smoke_test', state: 'succeeded' }]);
    // Prod's channel is told, naming the workspace.
    expect(notices.at(-1)).toMatch(
      new RegExp(`^bricklane: prod\\.neu rolled back for release ${rollbackId} — `),
    );
    // From outside: that workspace holds release 1's objects again; the canary still holds release 2's, the third
    // release 1's (release 2 never reached it).
    expect(objects('prod.neu')).toEqual(afterFirst['prod.neu']);
    expect(smokeOf('prod.weu')).toContain('assert "two"');
    expect(objects('prod.eus')).toEqual(afterFirst['prod.eus']);

    // Done there: the page offers the canary's link only. The canary passed in release 2, which then became its
    // last known good; its link restores what it held before release 2.
    const left = await offered(second.id);
    expect(Object.keys(left.rows)).toEqual(['prod.weu']);
    expect((await post(weu)).status).toBe(202);
    const canary = await followRelease(app, rollbackReleaseId(second.id, 'prod.weu'));
    expect([canary.state, canary.bundleId], JSON.stringify(canary)).toEqual(['rolledBack', first.bundleId]);
    expect(TARGETS.map((t) => objects(t))).toEqual(TARGETS.map((t) => afterFirst[t]));
    expect(await offered(second.id)).toEqual({ rows: {}, card: [] });
  });
});
