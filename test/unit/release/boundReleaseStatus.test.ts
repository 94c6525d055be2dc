// Unit tests: the release status the orchestration publishes always fits the Durable extension's 16 KB
// custom status limit (UTF-16), keeping as much detail as fits.
import { describe, expect, it } from 'vitest';
import type { CheckStatus, ReleaseStatus, StageStatus } from '../../../src/release/ReleaseStatus';
import {
  boundReleaseStatus,
  clipText,
  CUSTOM_STATUS_BUDGET_IN_BYTES,
  utf16Size,
} from '../../../src/release/boundReleaseStatus';
import type { KindSummary } from '../../../src/planning/DeployPlan';
import { applySpans, countsOf } from '../../../src/release/compactStatus';
import { RESOURCE_KINDS } from '../../../src/manifest/Bundle';
import { WAVES } from '../../../src/planning/waves';

const LIMIT_IN_BYTES = 16 * 1024;
const counts: KindSummary = { create: 1234, update: 5678, unchanged: 91011, delete: 1213, drift: 1415 };
const plan = { initScripts: counts, clusters: counts, notebooks: counts, files: counts, jobs: counts };
const T = '2026-11-25T08:00:00.000Z';
/** `s` seconds after T. */
const at = (s: number): string => new Date(Date.parse(T) + s * 1000).toISOString();

const small: ReleaseStatus = {
  releaseId: 'release-3f2a9c1d0e',
  bundleId: 'f'.repeat(64),
  source: { kind: 'github', commit: 'a'.repeat(40), ref: 'refs/heads/main', repository: 'contoso/etl' },
  state: 'running',
  startedAt: T,
  stages: [
    {
      environment: 'dev',
      state: 'succeeded',
      plan,
      startedAt: T,
      finishedAt: T,
      outcome: { done: 7, failed: 0, skipped: 0 },
    },
    { environment: 'qa', state: 'waiting', plan, startedAt: T, approval: { required: true, expiresAt: T } },
    { environment: 'prod', state: 'pending' },
  ],
};

/** Every text as long as anything upstream lets it be, in characters that are 2 bytes even in UTF-8. */
function worst(environments: number, diagnostics: number): ReleaseStatus {
  const text = (n: number): string => 'é'.repeat(n);
  const stage = (i: number): StageStatus => ({
    environment: `environment-${i}-${'e'.repeat(40)}`,
    state: 'rejected',
    plan,
    startedAt: T,
    finishedAt: T,
    outcome: { done: 100_000, failed: 100_000, skipped: 100_000 },
    approval: {
      required: true,
      expiresAt: T,
      decision: 'reject',
      approver: text(500),
      comment: text(1000),
      decidedAt: T,
    },
    message: text(5000),
    fix: text(5000),
  });
  return {
    releaseId: 'r'.repeat(256),
    bundleId: 'f'.repeat(64),
    source: {
      kind: 'azureRepos',
      commit: text(300),
      ref: text(2000),
      repository: text(2000),
      requestedBy: text(2000),
    },
    state: 'invalid',
    startedAt: T,
    finishedAt: T,
    stages: Array.from({ length: environments }, (_, i) => stage(i)),
    message: text(20_000),
    fix: text(20_000),
    diagnostics: {
      count: diagnostics,
      items: Array.from({ length: diagnostics }, (_, i) => `${i}: ${text(2000)}`),
    },
  };
}

describe('boundReleaseStatus', () => {
  it('publishes an ordinary release as it is', () => {
    expect(boundReleaseStatus(small)).toEqual(small);
    expect(utf16Size(small)).toBeLessThan(CUSTOM_STATUS_BUDGET_IN_BYTES / 2);
  });

  it('keeps the count and the first 5 diagnostics, each shortened to 300 characters', () => {
    const items = Array.from({ length: 30 }, (_, i) => `notebooks/n${i}.sql: ${'x'.repeat(400)}`);
    const bounded = boundReleaseStatus({ ...small, state: 'invalid', diagnostics: { count: 30, items } });
    expect(bounded.diagnostics?.count).toBe(30);
    expect(bounded.diagnostics?.items).toHaveLength(5);
    expect(bounded.diagnostics?.items[0]).toBe(`${items[0]?.slice(0, 299)}…`);
    expect(bounded.condensed).toBeUndefined();
  });

  // Table: environments x diagnostics, every text at its worst. None may reach the extension's limit.
  const cases: Array<[number, number]> = [
    [1, 0],
    [3, 30],
    [3, 10_000],
    [10, 30],
    [50, 5],
    [1000, 1000],
  ];
  it.each(cases)('fits %i environments and %i diagnostics into the budget', (environments, diagnostics) => {
    const status = worst(environments, diagnostics);
    expect(utf16Size(status)).toBeGreaterThan(LIMIT_IN_BYTES);
    const bounded = boundReleaseStatus(status);
    expect(utf16Size(bounded)).toBeLessThanOrEqual(CUSTOM_STATUS_BUDGET_IN_BYTES);
    // What identifies the release and its outcome is never dropped.
    expect(bounded).toMatchObject({
      releaseId: status.releaseId,
      bundleId: status.bundleId,
      state: 'invalid',
    });
    if (diagnostics > 0) expect(bounded.diagnostics?.count).toBe(diagnostics);
    expect(bounded.stages.length).toBeGreaterThan(0);
    for (const [i, stage] of bounded.stages.entries()) {
      expect(stage.environment).toBe(status.stages[i]?.environment);
      expect(stage.state).toBe('rejected');
    }
  });

  it('drops detail progressively: three stages with long comments keep their plans and states', () => {
    const status = worst(3, 30);
    const bounded = boundReleaseStatus(status);
    expect(bounded.condensed).toBe(true);
    expect(bounded.stages).toHaveLength(3);
    expect(bounded.stages.every((s) => s.plan !== undefined)).toBe(true);
    expect(bounded.diagnostics?.items.length).toBeGreaterThanOrEqual(1);
    expect(bounded.stages[0]?.approval?.comment?.endsWith('…')).toBe(true);
    // A permanent failure's fix (release and stage) stays, shortened like the messages.
    expect(bounded.fix?.endsWith('…')).toBe(true);
    expect(bounded.stages[0]?.fix?.endsWith('…')).toBe(true);
  });

  it('keeps the provision and wave spans while it fits, and drops them first when condensing', () => {
    // Each wave starts where the span before it ended, except jobs (a gap): only jobs keeps its start.
    const phases = {
      apply: { startedAt: at(0), finishedAt: at(9) },
      provision: { startedAt: at(1), finishedAt: at(2) },
      waves: [
        { wave: 'clusters', startedAt: at(2), finishedAt: at(4) },
        { wave: 'files', startedAt: at(4), finishedAt: at(5) },
        { wave: 'jobs', startedAt: at(6), finishedAt: at(8) },
      ],
    };
    const timed = (status: ReleaseStatus): ReleaseStatus => ({
      ...status,
      stages: status.stages.map((stage) => ({ ...stage, phases })),
    });
    const published = boundReleaseStatus(timed(small)).stages[0]?.phases;
    expect(published).toEqual({
      ...phases,
      waves: [
        { wave: 'clusters', finishedAt: at(4) },
        { wave: 'files', finishedAt: at(5) },
        { wave: 'jobs', startedAt: at(6), finishedAt: at(8) },
      ],
    });
    // The timeline reads every span back as it was.
    expect(applySpans(published ?? {})).toEqual([
      { label: 'provision', time: phases.provision },
      ...phases.waves.map(({ wave, ...time }) => ({ label: wave, time })),
    ]);
    const condensed = boundReleaseStatus(timed(worst(3, 30)));
    expect(condensed.condensed).toBe(true);
    expect(condensed.stages.map((s) => s.phases)).toEqual(Array(3).fill({ apply: phases.apply }));
  });

  it('leaves out zero plan counts and the kinds that have none; the pages read them as 0', () => {
    const zero = { create: 0, update: 0, unchanged: 0, delete: 0, drift: 0 };
    const stage: StageStatus = {
      environment: 'dev',
      state: 'succeeded',
      plan: { ...plan, clusters: { ...zero, update: 2 }, jobs: zero, notebooks: { ...zero, adopt: 0 } },
    };
    const published = boundReleaseStatus({ ...small, stages: [stage] }).stages[0]?.plan;
    expect(published).toEqual({
      initScripts: counts,
      clusters: { update: 2 },
      files: counts,
    });
    expect(countsOf(published, 'clusters')).toEqual({ ...zero, update: 2 });
    expect(countsOf(published, 'jobs')).toEqual(zero);
    expect(countsOf(published, 'initScripts')).toEqual(counts);
  });

  it('publishes the sample release at its fullest (three stages, every kind and wave) with room to spare', () => {
    const zero = { create: 0, update: 0, unchanged: 0, delete: 0, drift: 0 };
    const kinds = RESOURCE_KINDS;
    // Every wave but prune (the sample does not prune).
    const waves = WAVES.map((w) => w.name).filter((w) => w !== 'prune');
    const stage = (environment: string, approval: boolean): StageStatus => ({
      environment,
      state: 'succeeded',
      startedAt: at(0),
      plans: { planned: 'b302aea83a77', replans: 0, approved: 'b302aea83a77', applied: 'b302aea83a77' },
      outcome: { done: 23, failed: 0, skipped: 0 },
      finishedAt: at(40),
      phases: {
        plan: { startedAt: at(0), finishedAt: at(1) },
        ...(approval ? { approval: { startedAt: at(1), finishedAt: at(2) } } : {}),
        apply: { startedAt: at(3), finishedAt: at(40) },
        provision: { startedAt: at(3), finishedAt: at(4) },
        waves: waves.map((wave, i) => ({ wave, startedAt: at(4 + 4 * i), finishedAt: at(8 + 4 * i) })),
      },
      plan: Object.fromEntries(kinds.map((kind) => [kind, { ...zero, create: 3 }])),
      ...(approval
        ? {
            approval: {
              required: true,
              expiresAt: at(50),
              planId: 'b302aea83a77',
              decision: 'approve' as const,
              decidedAt: at(2),
              approver: 'anonymous (link holder)',
              comment: 'looks good',
            },
          }
        : {}),
    });
    const sample: ReleaseStatus = {
      ...small,
      state: 'succeeded',
      finishedAt: at(120),
      stages: [stage('dev', false), stage('qa', true), stage('prod', true)],
    };
    const published = boundReleaseStatus(sample);
    expect(published.condensed).toBeUndefined();
    // 13,404 bytes as it is: over the 12,288 budget, so it used to be published condensed (no wave spans).
    // Without its zero counts and the wave starts the timeline can tell, 9,324: about 3 KB stay free for
    // what a stage gains next (check runs).
    expect(utf16Size(sample)).toBe(13_404);
    expect(utf16Size(published)).toBe(9_324);
    expect(published.stages.map((s) => applySpans(s.phases ?? {}).length)).toEqual([9, 9, 9]);
  });

  it("keeps every check run's job and state, clipping its message and dropping its run page at the last level", () => {
    // Five checks per stage (bricklane.json's limit), each with a run page and a message as long as readChecks
    // lets them be (300 characters), in three of the worst stages.
    const check = (i: number): CheckStatus => ({
      job: `smoke_${i}`,
      runId: 900_000_001 + i,
      state: 'failed',
      message: 'é'.repeat(300),
      url: `https://adb-1.azuredatabricks.net/?o=1#job/7/run/${'9'.repeat(250)}`,
      startedAt: T,
      finishedAt: T,
    });
    const status = worst(3, 5);
    for (const stage of status.stages) stage.checks = Array.from({ length: 5 }, (_, i) => check(i));
    const bounded = boundReleaseStatus(status);
    expect(utf16Size(bounded)).toBeLessThanOrEqual(CUSTOM_STATUS_BUDGET_IN_BYTES);
    for (const stage of bounded.stages) {
      expect(stage.checks?.map((c) => [c.job, c.state, c.runId])).toEqual(
        Array.from({ length: 5 }, (_, i) => [`smoke_${i}`, 'failed', 900_000_001 + i]),
      );
      for (const c of stage.checks ?? []) expect((c.message ?? '').length).toBeLessThanOrEqual(80);
    }
    // A release with one passed check per stage keeps its run pages and is not condensed.
    const passed = {
      ...small,
      stages: small.stages.map((s) => ({
        ...s,
        checks: [{ ...check(0), state: 'succeeded' as const, message: undefined }],
      })),
    };
    const kept = boundReleaseStatus(passed);
    expect(kept.condensed).toBeUndefined();
    expect(kept.stages.map((s) => s.checks?.[0]?.url)).toEqual(small.stages.map(() => check(0).url));
  });

  it("clips the policies' texts: a check's words like a stage's message, its name and the window like names", () => {
    const long = 'x'.repeat(2000);
    const stage: StageStatus = {
      environment: 'prod',
      state: 'holding',
      policies: {
        wait: { minutes: 30, until: '2026-12-07T18:00:00.000Z', passed: true },
        window: { text: long, open: false, opensAt: '2026-12-07T18:00:00.000Z' },
        externalChecks: {
          deadline: '2026-12-07T19:00:00.000Z',
          checks: [{ name: long, state: 'failing', attempts: 3, message: long }],
        },
      },
    };
    const bounded = boundReleaseStatus({ ...small, stages: [stage] });
    const policies = bounded.stages[0]?.policies;
    expect(policies?.wait).toEqual(stage.policies?.wait);
    expect(policies?.window).toEqual({ ...stage.policies?.window, text: `${'x'.repeat(199)}…` });
    expect(policies?.externalChecks?.checks[0]).toEqual({
      name: `${'x'.repeat(199)}…`,
      state: 'failing',
      attempts: 3,
      message: `${'x'.repeat(499)}…`,
    });
    expect(policies?.externalChecks?.deadline).toBe('2026-12-07T19:00:00.000Z');
  });

  it('takes a smaller budget when asked', () => {
    const bounded = boundReleaseStatus(worst(3, 30), 2048);
    expect(utf16Size(bounded)).toBeLessThanOrEqual(2048);
  });
});

describe('clipText', () => {
  it('cuts to the length with an ellipsis, never inside a surrogate pair', () => {
    expect(clipText('abcdef', 6)).toBe('abcdef');
    expect(clipText('abcdef', 4)).toBe('abc…');
    expect(clipText('ab😀cd', 4)).toBe('ab…');
    expect(clipText('abc', 1)).toBe('…');
    expect(clipText('abc', 0)).toBe('');
  });
});
