import { describe, expect, it } from 'vitest';
import type { DeployPlan } from '../../../src/planning/DeployPlan';
import {
  boundReleaseStatus,
  CUSTOM_STATUS_BUDGET_IN_BYTES,
  utf16Size,
} from '../../../src/release/boundReleaseStatus';
import type { ReleaseStatus, StageStatus, TargetStatus } from '../../../src/release/ReleaseStatus';
import { renderApprovalPage } from '../../../src/web/renderApprovalPage';
import { renderTargetPlans, renderTargets } from '../../../src/web/renderTargets';

const EVIL = '<script>alert(1)</script>';
const now = new Date('2026-12-05T03:00:00Z');
const none = { create: 0, update: 0, unchanged: 0, delete: 0, drift: 0 };

const targets: TargetStatus[] = [
  {
    target: 'prod.weu',
    state: 'succeeded',
    plan: { notebooks: { create: 2 }, jobs: { update: 1 } },
    outcome: { done: 3, failed: 0, skipped: 0 },
    checks: [
      {
        job: 'smoke_test',
        runId: 7,
        state: 'succeeded',
        url: 'https://adb-1.azuredatabricks.net/#job/1/run/7',
        startedAt: '2026-12-05T02:59:00Z',
        finishedAt: '2026-12-05T02:59:30Z',
      },
    ],
    startedAt: '2026-12-05T02:58:00Z',
    finishedAt: '2026-12-05T02:59:40Z',
  },
  {
    target: 'prod.neu',
    state: 'failed',
    message: `notebooks.x: ${EVIL}`,
    fix: 'az role assignment create …',
  },
  { target: 'prod.eus', state: 'skipped', message: 'not started: prod.neu failed' },
];

describe('renderTargets (the status page of a ring)', () => {
  const html = renderTargets(targets, now);

  it('shows every target, canary first, with its state, plan, time, checks and message', () => {
    const rows = [...html.matchAll(/<tr id="target-([^"]+)">(.*?)<\/tr>/g)];
    expect(rows.map((r) => r[1])).toEqual(['prod.weu', 'prod.neu', 'prod.eus']);
    expect(rows.map((r) => /data-state="(\w+)"/.exec(r[2] ?? '')?.[1])).toEqual([
      'succeeded',
      'failed',
      'skipped',
    ]);
    const [weu, neu, eus] = rows.map((r) => r[2] ?? '');
    expect(weu).toContain('canary');
    expect(weu).toContain('notebooks: 2 create; jobs: 1 update');
    expect(weu).toContain('1 min 40 s');
    expect(weu).toContain('3 done, 0 failed, 0 skipped');
    expect(weu).toContain('<a href="https://adb-1.azuredatabricks.net/#job/1/run/7"');
    expect(neu).toContain('az role assignment create');
    expect(eus).toContain('not started: prod.neu failed');
    expect(html).toContain('Workspaces (3, canary first)');
  });

  it('escapes what came from a workspace or a bundle', () => {
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;');
  });

  it("puts each offered rollback link on its target's row, and none on the others", () => {
    const known = { bundleId: 'b'.repeat(64), releaseId: 'release-good', at: '2026-12-01T10:00:00.000Z' };
    const offered = renderTargets(targets, now, [
      { environment: 'prod.neu', knownGood: known, url: 'https://app.example.net/api/rollbacks/n.1?a=1&b=2' },
    ]);
    const rows = Object.fromEntries(
      [...offered.matchAll(/<tr id="target-([^"]+)">(.*?)<\/tr>/g)].map((r) => [r[1], r[2] ?? '']),
    );
    expect(rows['prod.neu']).toContain(
      `<a class="action" href="https://app.example.net/api/rollbacks/n.1?a=1&amp;b=2">Roll back prod.neu…</a> to bundle <code>${known.bundleId}</code>`,
    );
    expect(rows['prod.weu']).not.toContain('/api/rollbacks/');
    expect(rows['prod.eus']).not.toContain('/api/rollbacks/');
    expect(html).not.toContain('/api/rollbacks/');
  });

  it('is empty for a stage that is one workspace', () => {
    expect(renderTargets(undefined, now)).toBe('');
    expect(renderTargets([], now)).toBe('');
  });
});

describe('the approval page of a ring', () => {
  const planOf = (target: string, created: string[]): DeployPlan => ({
    version: 1,
    environment: target,
    steps: created.map((name) => ({
      key: `notebooks.${name}`,
      kind: 'notebooks',
      action: 'create',
      wave: 4,
      target: `/Shared/${name}`,
      reason: 'new',
    })),
    summary: {
      initScripts: none,
      clusters: none,
      notebooks: { ...none, create: created.length },
      files: none,
      jobs: none,
    },
  });
  const targetPlans = [
    { target: 'prod.weu', plan: planOf('prod.weu', ['etl', EVIL]) },
    { target: 'prod.neu', plan: planOf('prod.neu', ['etl']) },
    { target: 'prod.eus', plan: undefined },
  ];

  it("shows each target's plan under one decision", () => {
    const stage: StageStatus = {
      environment: 'prod',
      state: 'waiting',
      plan: { notebooks: { create: 3 } },
      approval: { required: true, expiresAt: '2026-12-08T03:00:00Z' },
    };
    const html = renderApprovalPage({
      release: { releaseId: 'r1', bundleId: 'b'.repeat(64), source: { kind: 'manual' } },
      stage,
      plan: undefined,
      linkExpiresAt: new Date('2026-12-08T03:00:00Z'),
      now,
      formAction: '/api/approvals/x',
      viewer: { ok: true, approver: 'alice@contoso.com', authenticated: true },
      targetPlans,
    });
    expect(html).toContain('Plan per workspace (3)');
    const sections = [
      ...html.matchAll(/<section class="target-plan" id="plan-([^"]+)">([\s\S]*?)<\/section>/g),
    ];
    expect(sections.map((s) => s[1])).toEqual(['prod.weu', 'prod.neu', 'prod.eus']);
    expect(sections[0]?.[2]).toContain('canary');
    expect(sections[0]?.[2]).toContain('notebooks: 2 create');
    expect(sections[1]?.[2]).toContain('create <code>notebooks.etl</code>');
    expect(sections[2]?.[2]).toContain('plan not available');
    expect(html).not.toContain('<script');
    // One form: the decision covers the whole ring.
    expect(html.match(/<form/g)).toHaveLength(1);
  });

  it('marks the targets that deployed after an earlier approval of the release as not part of this decision', () => {
    const html = renderTargetPlans([
      { target: 'prod.weu', plan: planOf('prod.weu', ['etl']), deployed: true },
      { target: 'prod.neu', plan: planOf('prod.neu', ['etl']) },
    ]);
    const sections = [
      ...html.matchAll(/<section class="target-plan" id="plan-([^"]+)">([\s\S]*?)<\/section>/g),
    ];
    expect(sections[0]?.[2]).toContain(
      'deployed in this release after an earlier approval; not part of this decision',
    );
    expect(sections[0]?.[2]).not.toContain('<li>');
    expect(sections[0]?.[2]).not.toContain('canary');
    expect(sections[1]?.[2]).toContain('create <code>notebooks.etl</code>');
  });

  it('lists at most 20 changes per target and counts the rest', () => {
    const many = Array.from({ length: 25 }, (_, i) => `n${i}`);
    const html = renderTargetPlans([{ target: 'prod.weu', plan: planOf('prod.weu', many) }]);
    expect(html.match(/<li>create /g)).toHaveLength(20);
    expect(html).toContain('… and 5 more');
  });
});

describe('a ring of 20 targets in the custom status', () => {
  /** A failed release with these stages, over the budget as it is, and bounded to it. */
  const boundedOver = (stages: StageStatus[]): ReleaseStatus => {
    const status: ReleaseStatus = {
      releaseId: 'r1',
      bundleId: 'b'.repeat(64),
      source: { kind: 'manual' },
      state: 'failed',
      startedAt: '2026-12-05T02:50:00Z',
      stages,
    };
    expect(utf16Size(status)).toBeGreaterThan(CUSTOM_STATUS_BUDGET_IN_BYTES);
    const bounded = boundReleaseStatus(status);
    expect(utf16Size(bounded)).toBeLessThanOrEqual(CUSTOM_STATUS_BUDGET_IN_BYTES);
    return bounded;
  };

  it('fits the budget, and every target keeps its key and state even at the last resort', () => {
    const ring: TargetStatus[] = Array.from({ length: 20 }, (_, i) => ({
      target: `prod.region${i}`,
      state: 'failed',
      plan: { notebooks: { create: 100 + i, update: i }, jobs: { create: 3 }, clusters: { update: 1 } },
      outcome: { done: 100, failed: 5, skipped: 2 },
      message: 'x'.repeat(600),
      fix: 'y'.repeat(300),
      checks: [
        { job: 'smoke', runId: i, state: 'failed', message: 'z'.repeat(600), url: `https://w${i}/run` },
      ],
      startedAt: '2026-12-05T02:58:00Z',
      finishedAt: '2026-12-05T02:59:40Z',
    }));
    const bounded = boundedOver([
      { environment: 'dev', state: 'succeeded' },
      { environment: 'prod', state: 'failed', message: 'm'.repeat(600), targets: ring },
    ]);
    expect(bounded.stages.map((s) => s.environment)).toEqual(['dev', 'prod']);
    expect(bounded.stages[1]?.targets?.map((t) => [t.target, t.state])).toEqual(
      ring.map((t) => [t.target, 'failed']),
    );
  });

  it("clips the targets' texts before it drops their plan counts", () => {
    const ring: TargetStatus[] = Array.from({ length: 20 }, (_, i) => ({
      target: `prod.region${i}`,
      state: 'failed',
      plan: { notebooks: { create: 100 + i } },
      message: 'x'.repeat(300),
    }));
    const bounded = boundedOver([{ environment: 'prod', state: 'failed', targets: ring }]);
    const kept = bounded.stages[0]?.targets ?? [];
    expect(kept.map((t) => t.plan)).toEqual(ring.map((t) => t.plan));
    expect(Math.max(...kept.map((t) => t.message?.length ?? 0))).toBeLessThan(300);
    expect(kept.every((t) => t.message?.endsWith('…'))).toBe(true);
  });

  it("keeps each target's times, outcome and check states for a ring of 20 over the sample bundle", () => {
    const counts = { create: 3, update: 1 };
    const ring: TargetStatus[] = Array.from({ length: 20 }, (_, i) => ({
      target: `prod.r${String(i).padStart(2, '0')}`,
      state: 'succeeded',
      plan: Object.fromEntries(
        ['initScripts', 'policies', 'clusters', 'secrets', 'notebooks', 'files', 'jobs', 'permissions'].map(
          (kind) => [kind, counts],
        ),
      ),
      outcome: { done: 25, failed: 0, skipped: 0 },
      apply: { startedAt: '2026-12-05T02:58:01.000Z', finishedAt: '2026-12-05T02:58:09.000Z' },
      checks: [
        {
          job: 'smoke_test',
          runId: 900000000 + i,
          state: 'succeeded',
          url: `https://adb-${i}.azuredatabricks.net/?o=0#job/700000012/run/${900000000 + i}`,
          startedAt: '2026-12-05T02:58:10.000Z',
          finishedAt: '2026-12-05T02:58:20.000Z',
        },
      ],
      startedAt: '2026-12-05T02:58:00.000Z',
      finishedAt: '2026-12-05T02:58:30.000Z',
    }));
    const bounded = boundedOver([{ environment: 'prod', state: 'succeeded', targets: ring }]);
    expect(bounded.stages[0]?.targets?.map((t) => [t.startedAt, t.finishedAt, t.outcome, t.checks])).toEqual(
      ring.map((t) => [
        t.startedAt,
        t.finishedAt,
        t.outcome,
        [{ job: 'smoke_test', runId: t.checks?.[0]?.runId, state: 'succeeded' }],
      ]),
    );
  });
});
