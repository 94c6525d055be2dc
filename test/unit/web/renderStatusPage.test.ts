import { describe, expect, it } from 'vitest';
import type { StageState, StageStatus } from '../../../src/release/ReleaseStatus';
import type { DeployPlan, KindSummary } from '../../../src/planning/DeployPlan';
import type { ReleaseView, StageView } from '../../../src/release/releaseView';
import { compactPlanCounts } from '../../../src/release/compactStatus';
import { renderStatusPage, type StatusPageModel } from '../../../src/web/renderStatusPage';

const EVIL = '<script>alert(1)</script>';
const none: KindSummary = { create: 0, update: 0, unchanged: 0, delete: 0, drift: 0 };
const SHA = '3f2a9c1d0e4b5a69788796a5b4c3d2e1f0a9b8c7';
const summary: DeployPlan['summary'] = {
  initScripts: none,
  clusters: { create: 1, update: 1, unchanged: 1, delete: 0, drift: 0 },
  notebooks: { ...none, create: 2, delete: 1 },
  files: none,
  jobs: { ...none, unchanged: 1, drift: 1 },
};
const qaPlan: DeployPlan = {
  version: 1,
  environment: 'qa',
  summary,
  steps: [
    {
      key: 'clusters.Small',
      kind: 'clusters',
      action: 'update',
      wave: 1,
      target: 'Small',
      reason: 'spec changed',
      changes: ['num_workers'],
    },
    { key: `clusters.${EVIL}`, kind: 'clusters', action: 'create', wave: 1, target: EVIL, reason: 'new' },
    { key: 'clusters.Big', kind: 'clusters', action: 'unchanged', wave: 1, target: 'Big', reason: 'same' },
    {
      key: 'notebooks./Shared/etl/ingest',
      kind: 'notebooks',
      action: 'create',
      wave: 2,
      target: '/Shared/etl/ingest',
      reason: 'new',
    },
    {
      key: 'notebooks./Shared/etl/old',
      kind: 'notebooks',
      action: 'delete',
      wave: 4,
      target: '/Shared/etl/old"onclick="x',
      reason: 'removed from bundle',
    },
    {
      key: 'jobs.nightly',
      kind: 'jobs',
      action: 'unchanged',
      wave: 3,
      target: 'nightly',
      reason: 'same',
      drift: 'edited in the UI <b>by</b> someone',
    },
  ],
};

const NOW = new Date('2026-11-25T08:30:00Z');
const release = (stages: StageView[], over: Partial<ReleaseView> = {}): ReleaseView => ({
  releaseId: 'release-3f2a9c1d0e-abc',
  runtimeStatus: 'Running',
  createdTime: new Date('2026-11-25T08:00:00Z'),
  lastUpdatedTime: new Date('2026-11-25T08:29:00Z'),
  bundleId: 'f'.repeat(64),
  source: {
    kind: 'github',
    commit: SHA,
    ref: 'refs/heads/main',
    repository: 'contoso/etl',
    requestedBy: `mallory ${EVIL}`,
  },
  state: 'running',
  startedAt: '2026-11-25T08:00:00.000Z',
  stages,
  ...over,
});
const page = (r: ReleaseView, over: Partial<StatusPageModel> = {}): string =>
  renderStatusPage({
    release: r,
    now: NOW,
    links: { json: 'https://app.example.net/api/views/v13w.t0k?format=json' },
    ...over,
  });

const dev: StageStatus = {
  environment: 'dev',
  state: 'succeeded',
  plan: summary,
  startedAt: '2026-11-25T08:00:01.000Z',
  finishedAt: '2026-11-25T08:01:06.000Z',
  outcome: { done: 7, failed: 0, skipped: 0 },
};
const qaWaiting: StageView = {
  environment: 'qa',
  state: 'waiting',
  plan: summary,
  startedAt: '2026-11-25T08:01:07.000Z',
  approval: { required: true, expiresAt: '2026-11-28T10:00:00.000Z' },
  approvalUrl: 'http://127.0.0.1:7071/api/approvals/eyJ2IjoxfQ.abc-_',
};
const prod: StageStatus = { environment: 'prod', state: 'pending', approval: { required: true } };

describe('renderStatusPage', () => {
  it('escapes every value from a bundle or payload: commit, approver, comment, plan names, messages', () => {
    const evilRelease = release(
      [
        dev,
        {
          environment: 'qa',
          state: 'rejected',
          plan: summary,
          approval: { required: true, decision: 'reject', approver: `eve ${EVIL}`, comment: `no ${EVIL}` },
          message: `rejected by eve ${EVIL}`,
        },
        { ...prod, state: 'failed', message: `boom ${EVIL}` },
      ],
      {
        state: 'rejected',
        runtimeStatus: 'Completed',
        message: `msg ${EVIL}`,
        source: { kind: 'github', commit: `${EVIL}`, ref: `refs/${EVIL}`, repository: `x/${EVIL}` },
      },
    );
    const html = page(evilRelease, { plans: { qa: qaPlan } });
    expect(html).not.toMatch(/<script|<b>by<\/b>|"onclick="x/);
    expect(html).not.toMatch(/javascript:|\son\w+=/i);
    expect(html).toContain('eve &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('no &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('boom &lt;script&gt;');
    expect(html).toContain('msg &lt;script&gt;');
    expect(html).toContain('<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>');
    expect(html).toContain('/Shared/etl/old&quot;onclick=&quot;x');
    expect(html).toContain('edited in the UI &lt;b&gt;by&lt;/b&gt; someone');
    // Not a sha: shown as text, never as a link.
    expect(html).not.toContain('github.com');
  });

  const states: Array<[StageState, Partial<StageView>, string[]]> = [
    ['pending', {}, ['Pending']],
    ['planning', { startedAt: '2026-11-25T08:29:50.000Z' }, ['Planning', 'for 10 s']],
    [
      'waiting',
      { approval: qaWaiting.approval, approvalUrl: qaWaiting.approvalUrl },
      [
        'Waiting for approval',
        '<a class="action" href="http://127.0.0.1:7071/api/approvals/eyJ2IjoxfQ.abc-_">Approve or reject</a>',
        'link expires 2026-11-28 10:00:00 UTC (in 3 d 1 h)',
      ],
    ],
    [
      'approved',
      { approval: { required: true, decision: 'approve', approver: 'alice@contoso.com' } },
      ['Approved', 'approved by <strong>alice@contoso.com</strong>'],
    ],
    [
      'deploying',
      {
        startedAt: '2026-11-25T08:28:00.000Z',
        approval: { required: true, decision: 'approve', approver: 'al' },
      },
      ['Deploying', 'for 2 min 0 s', 'approved by <strong>al</strong>'],
    ],
    [
      'succeeded',
      { startedAt: '2026-11-25T08:00:00.000Z', finishedAt: '2026-11-25T08:01:05.000Z' },
      ['Succeeded', 'took 1 min 5 s'],
    ],
    [
      'failed',
      { message: 'jobs.nightly: cluster Small not found' },
      ['Failed', 'jobs.nightly: cluster Small not found'],
    ],
    ['expired', { message: 'no decision within 72 h' }, ['Expired', 'no decision within 72 h']],
    ['superseded', { message: 'superseded by release r2' }, ['Superseded', 'superseded by release r2']],
    [
      'rejected',
      { approval: { required: true, decision: 'reject', approver: 'bob', comment: 'not on a Friday' } },
      ['Rejected', 'by <strong>bob</strong>', '<q class="comment">not on a Friday</q>'],
    ],
    ['skipped', {}, ['Skipped']],
  ];
  it.each(states)('shows a %s stage with its label and details in the diagram', (state, extra, texts) => {
    const html = page(release([{ environment: 'qa', state, ...extra }]));
    const box = /<li class="stage[^"]*" data-environment="qa">.*?<\/li>/.exec(html)?.[0] ?? '';
    expect(box).toContain(`data-state="${state}"`);
    for (const text of texts) expect(box).toContain(text);
  });

  it('draws Dev -> QA -> Prod in order, with arrows and a colour per state', () => {
    const html = page(release([dev, qaWaiting, prod]));
    const order = [...html.matchAll(/data-environment="(\w+)"/g)].map((m) => m[1]);
    expect(order).toEqual(['dev', 'qa', 'prod']);
    expect(html.match(/<li class="arrow" aria-hidden="true"><\/li>/g)).toHaveLength(2);
    expect(html).toContain('<li class="stage stage-ok" data-environment="dev"><span class="env">Dev</span>');
    expect(html).toContain('<li class="stage stage-wait" data-environment="qa"><span class="env">QA</span>');
    expect(html).toContain(
      '<li class="stage stage-idle" data-environment="prod"><span class="env">Prod</span>',
    );
  });

  it('keeps waiting and working apart: the box, the details and the timeline', () => {
    // Deployed for 3 s after a 25 min approval: "for 3 s", not "for 25 min".
    const deploying: StageView = {
      environment: 'qa',
      state: 'deploying',
      startedAt: '2026-11-25T08:04:57.000Z',
      approval: { required: true, decision: 'approve', approver: 'al' },
      phases: {
        plan: { startedAt: '2026-11-25T08:04:57.000Z', finishedAt: '2026-11-25T08:05:00.000Z' },
        approval: { startedAt: '2026-11-25T08:05:00.000Z', finishedAt: '2026-11-25T08:29:57.000Z' },
        apply: { startedAt: '2026-11-25T08:29:57.000Z' },
      },
    };
    const live = page(release([dev, deploying, prod]));
    expect(live).toContain('<span class="what">for 3 s</span>');
    expect(live).toContain('<dt>Time</dt><dd>6 s working · 24 min 57 s waiting for approval</dd>');
    expect(live).toContain('<section class="timeline">');
    expect(live).toContain('<li data-environment="qa">');
    const done: StageView = {
      ...deploying,
      state: 'succeeded',
      finishedAt: '2026-11-25T08:29:59.000Z',
      phases: {
        ...deploying.phases,
        apply: { startedAt: '2026-11-25T08:29:57.000Z', finishedAt: '2026-11-25T08:29:59.000Z' },
      },
    };
    expect(page(release([dev, done, prod]))).toContain(
      '<span class="what">took 25 min 2 s: 5 s working · 24 min 57 s waiting for approval</span>',
    );
    // A release from before phases were recorded shows no timeline and the old wording.
    expect(page(release([dev, prod]))).not.toContain('class="timeline"');
  });

  it('refreshes every few seconds while a stage works, once a minute while a person decides', () => {
    const planning = page(release([dev, { ...qaWaiting, state: 'planning' }, prod]));
    expect(planning).toContain('<meta http-equiv="refresh" content="5">');
    expect(planning).toContain('This page refreshes every 5 s while the release runs.');
    const waiting = page(release([dev, qaWaiting, prod], { state: 'waiting' }));
    expect(waiting).toContain('<meta http-equiv="refresh" content="60">');
    expect(waiting).toContain('This page refreshes every 60 s while the release waits for an approver.');
    expect(waiting).not.toContain('content="5"');
  });

  it('says when the release is shown from its archived record (its durable history purged)', () => {
    const done = release([dev], { runtimeStatus: 'Completed', state: 'succeeded' });
    expect(page(done, { archived: true })).toContain('<p class="note" data-archived="true">History purged:');
    expect(page(done)).not.toContain('data-archived');
  });

  it('refreshes itself without JavaScript only while the release runs', () => {
    const refresh = '<meta http-equiv="refresh" content="5">';
    const qaDeploying: StageView = { ...qaWaiting, state: 'deploying', approval: { required: false } };
    for (const runtimeStatus of ['Running', 'Pending']) {
      expect(page(release([dev, qaDeploying, prod], { runtimeStatus }))).toContain(refresh);
    }
    for (const runtimeStatus of ['Completed', 'Failed', 'Terminated']) {
      const html = page(release([dev], { runtimeStatus, state: 'succeeded' }));
      expect(html).not.toContain('http-equiv="refresh"');
      expect(html).not.toMatch(/<script/i);
    }
    expect(page(release([dev]))).toContain(
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
    );
  });

  it('links the commit on GitHub and Azure Repos, and shows other commits as text', () => {
    expect(page(release([dev]))).toContain(
      `<a href="https://github.com/contoso/etl/commit/${SHA}" rel="noopener noreferrer">` +
        `<code title="${SHA}">3f2a9c1d0e</code></a>`,
    );
    const azure = release([dev], {
      source: {
        kind: 'azureRepos',
        commit: SHA,
        repository: 'https://contoso@dev.azure.com/contoso/Data/_git/etl',
      },
    });
    expect(page(azure)).toContain(`href="https://dev.azure.com/contoso/Data/_git/etl/commit/${SHA}"`);
    const webhook = release([dev], { source: { kind: 'azureRepos', commit: SHA, repository: 'Data/etl' } });
    expect(page(webhook, { azureReposOrganizationUrl: 'https://dev.azure.com/contoso' })).toContain(
      `href="https://dev.azure.com/contoso/Data/_git/etl/commit/${SHA}"`,
    );
    const upload = release([dev], { source: { kind: 'upload', commit: SHA } });
    expect(page(upload)).toContain(`<code title="${SHA}">3f2a9c1d0e</code>`);
    expect(page(upload)).not.toContain('/commit/');
  });

  it('shows the plan per kind with counts, expandable to names, in the tense of the stage', () => {
    const html = page(release([dev, { ...qaWaiting }]), { plans: { qa: qaPlan } });
    const qa = /<section class="stage-detail" id="stage-qa">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(qa).toContain('<details class="kind" data-kind="clusters"><summary>');
    expect(qa).toContain('1 to create</span>');
    expect(qa).toContain('1 to update</span>');
    expect(qa).toContain('1 unchanged</span>');
    expect(qa).toContain('1 to delete</span>');
    expect(qa).toContain('1 drift</span>');
    expect(qa).toMatch(/badge update">update<\/span><code>Small<\/code>/);
    expect(qa).toContain('<code>Big</code>');
    expect(qa).toContain('<code>/Shared/etl/ingest</code>');
    expect(qa).toContain('changes: <code>num_workers</code>');
    // A plan with field diffs shows each field old -> new instead of the names.
    const diffed: DeployPlan = {
      ...qaPlan,
      steps: qaPlan.steps.map((s) =>
        s.key === 'clusters.Small' ? { ...s, diff: [{ path: 'num_workers', before: 1, after: 3 }] } : s,
      ),
    };
    const withDiff = page(release([dev, { ...qaWaiting }]), { plans: { qa: diffed } });
    expect(withDiff).toContain(
      '<ul class="diff"><li><code>num_workers</code> <del>1</del> → <ins>3</ins></li></ul>',
    );
    expect(withDiff).not.toContain('changes: <code>num_workers</code>');
    expect(qa).not.toContain('data-kind="initScripts"');
    // Dev has no stored plan here: counts only, in the past tense, and it says so.
    const devSection =
      /<section class="stage-detail" id="stage-dev">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(devSection).toContain('<div class="kind" data-kind="clusters">');
    expect(devSection).toContain('1 created</span>');
    expect(devSection).toContain('2 created</span>');
    expect(devSection).toContain('1 deleted</span>');
    expect(devSection).toContain('Counts only');
    expect(devSection).toContain('7 done · 0 failed · 0 skipped');
  });

  it('matches the outcome to the plan, and says what the steps beyond it were (the lifecycle wave)', () => {
    // 7 plan items; 3 more steps: the lifecycle of the clusters the deploy created or edited.
    const outcomeOf = (stage: StageView): string =>
      /<dt>Outcome<\/dt><dd>(.*?)<\/dd>/.exec(page(release([stage])))?.[1] ?? '';
    expect(outcomeOf({ ...dev, outcome: { done: 10, failed: 0, skipped: 0 } })).toBe(
      '10 done · 0 failed · 0 skipped (7 plan items, and the lifecycle step of 3 clusters this deploy created or edited: clusterLifecycle in bricklane.json)',
    );
    expect(outcomeOf({ ...dev, outcome: { done: 5, failed: 1, skipped: 1 } })).toBe(
      '5 done · 1 failed · 1 skipped (7 plan items)',
    );
    const { plan: _plan, ...unplanned } = dev;
    expect(outcomeOf(unplanned)).toBe('7 done · 0 failed · 0 skipped');
    // The published status leaves out zero counts (compactStatus.ts): the same page.
    const compact = { ...dev, plan: compactPlanCounts(dev.plan ?? {}) };
    expect(Object.values(compact.plan).flatMap(Object.values)).not.toContain(0);
    expect(page(release([compact]))).toBe(page(release([dev])));
  });

  it("shows the apply's notices after its outcome, escaped", () => {
    const notice = 'directory import fell back to per-file imports for 3 notebook(s) in dev: <refused>';
    const html = page(release([{ ...dev, notices: [notice] }]));
    expect(html).toContain(
      '<dt>Note</dt><dd>directory import fell back to per-file imports for 3 notebook(s) in dev: &lt;refused&gt;</dd>',
    );
    expect(page(release([dev]))).not.toContain('<dt>Note</dt>');
  });

  it('shows timings of the release and each stage', () => {
    const html = page(
      release([dev], {
        state: 'succeeded',
        runtimeStatus: 'Completed',
        finishedAt: '2026-11-25T09:02:03.000Z',
      }),
    );
    expect(html).toContain('<dt>Started</dt><dd>2026-11-25 08:00:00 UTC</dd>');
    expect(html).toContain('<dt>Finished</dt><dd>2026-11-25 09:02:03 UTC</dd>');
    expect(html).toContain('<dt>Duration</dt><dd>1 h 2 min</dd>');
    expect(html).toContain('<dt>Duration</dt><dd>1 min 5 s</dd>');
    expect(page(release([dev]))).toContain('<dt>Duration</dt><dd>30 min 0 s so far</dd>');
  });

  it('shows the approver, time and comment of a decision', () => {
    const html = page(
      release([
        {
          environment: 'qa',
          state: 'succeeded',
          approval: {
            required: true,
            decision: 'approve',
            approver: 'alice@contoso.com',
            comment: 'ship it',
            decidedAt: '2026-11-25T08:10:00.000Z',
          },
        },
      ]),
    );
    expect(html).toContain('Approved by <strong>alice@contoso.com</strong> at 2026-11-25 08:10:00 UTC');
    expect(html).toContain('<q class="comment">ship it</q>');
  });

  it('shows which plan was approved and which was applied, and why they differ', () => {
    const applied = page(
      release([
        { ...dev, plans: { planned: 'aaaaaaaaaaaa', applied: 'aaaaaaaaaaaa', replans: 0 } },
        {
          environment: 'qa',
          state: 'succeeded',
          plans: { planned: 'bbbbbbbbbbbb', approved: 'bbbbbbbbbbbb', applied: 'bbbbbbbbbbbb', replans: 0 },
        },
      ]),
    );
    expect(applied).toContain(
      '<dt>Applied plan</dt><dd><code class="plan-id">aaaaaaaaaaaa</code> (no approval needed)</dd>',
    );
    expect(applied).toContain('<dt>Approved plan</dt><dd><code class="plan-id">bbbbbbbbbbbb</code></dd>');
    expect(applied).toContain(
      '<dt>Applied plan</dt><dd><code class="plan-id">bbbbbbbbbbbb</code> (the approved plan)</dd>',
    );

    const moved = page(
      release([
        {
          ...qaWaiting,
          plans: { planned: 'cccccccccccc', approved: 'bbbbbbbbbbbb', replans: 1 },
          drift: [{ key: `clusters.${EVIL}`, was: 'id 1 as planned', now: 'num_workers changed' }],
        },
      ]),
    );
    expect(moved).toContain(
      '<dt>Applied plan</dt><dd>none yet: the workspace moved, so <code class="plan-id">cccccccccccc</code> was planned again</dd>',
    );
    expect(moved).toContain('<dt>Planned again (1×)</dt>');
    expect(moved).toContain(
      '<code>clusters.&lt;script&gt;alert(1)&lt;/script&gt;</code>: was id 1 as planned, now num_workers changed',
    );
    expect(moved).not.toContain(EVIL);
  });

  it('shows what fixes a permanent failure, for the stage and for the release, escaped', () => {
    const fix = 'az keyvault secret set --vault-name KeyVault-MyProject-Dev --name s --value <value>';
    const failed: StageStatus = { ...dev, state: 'failed', message: 'Key Vault has no secret "s"', fix };
    const html = page(release([failed], { state: 'failed', message: 'dev failed', fix: `re-stage ${EVIL}` }));
    expect(html).toContain(
      '<dt>Fix</dt><dd><code class="fix">az keyvault secret set --vault-name KeyVault-MyProject-Dev ' +
        '--name s --value &lt;value&gt;</code></dd>',
    );
    expect(html).toContain('<p class="notice fix">Fix: <code>re-stage ');
    expect(html).not.toContain(EVIL);
  });

  it('links only where it is given a link (signed view links), never with a function key', () => {
    const html = page(release([dev]));
    expect(html).toContain(
      '<p class="links"><a href="https://app.example.net/api/views/v13w.t0k?format=json">JSON</a></p>',
    );
    expect(html).not.toContain('code=');
    expect(html).not.toContain('All releases');
    expect(page(release([dev]), { links: { list: '/api/x"y' } })).toContain(
      '<a href="/api/x&quot;y">All releases</a>',
    );
    expect(page(release([dev]), { links: {} })).not.toContain('class="links"');
  });

  it("links a waiting stage to its approval page, or says why it cannot (a view link's page included)", () => {
    const waiting: StageStatus = { ...prod, state: 'waiting', approval: { required: true } };
    expect(page(release([dev, waiting]))).toContain('no approval link: signing keys are not configured');
    const linked = { ...waiting, approvalUrl: 'https://app.example.net/api/approvals/a"b' };
    const html = page(release([dev, linked]));
    expect(html).toContain(
      '<a class="action" href="https://app.example.net/api/approvals/a&quot;b">Approve or reject</a>',
    );
    expect(html).not.toContain('no approval link');
  });

  it('lists every problem of an invalid bundle, escaped, and says how many are missing', () => {
    const items = Array.from({ length: 30 }, (_, i) => `notebooks/n${i}.sql: collides ${EVIL}`);
    const invalid = (shown: string[]): ReleaseView =>
      release([{ ...prod, state: 'skipped' }], {
        state: 'invalid',
        runtimeStatus: 'Completed',
        message: '30 problem(s) in the bundle; nothing was deployed',
        diagnostics: { count: 30, items: shown },
      });
    const full = page(invalid(items));
    expect(full).toContain('Problems in the bundle (30)');
    expect(full.match(/<li>notebooks\/n\d+\.sql: collides &lt;script&gt;/g)).toHaveLength(30);
    expect(full).not.toContain('more: the full list');
    expect(full).not.toMatch(/<script/);
    const firstFew = page(invalid(items.slice(0, 5)));
    expect(firstFew.match(/<li>notebooks/g)).toHaveLength(5);
    expect(firstFew).toContain('… and 25 more: the full list could not be read');
    expect(page(release([dev]))).not.toContain('Problems in the bundle');
  });

  it('says when the status was condensed to fit the custom status limit', () => {
    expect(page(release([dev], { condensed: true }))).toContain("within Durable Functions' 16 KB");
    expect(page(release([dev]))).not.toContain('16 KB');
  });

  it('says when the orchestration ended without a final state, and before stages are known', () => {
    const crashed = page(release([dev], { runtimeStatus: 'Terminated' }));
    expect(crashed).toContain('The orchestration is Terminated');
    expect(crashed).not.toContain('http-equiv="refresh"');
    const fresh: ReleaseView = {
      releaseId: 'r1',
      runtimeStatus: 'Pending',
      createdTime: '2026-11-25T08:00:00.000Z',
      lastUpdatedTime: '2026-11-25T08:00:00.000Z',
    };
    const html = page(fresh);
    expect(html).toContain('data-state="pending"');
    expect(html).toContain('has not reported its stages yet');
  });
});
