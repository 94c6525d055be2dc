import { describe, expect, it } from 'vitest';
import type { StageStatus } from '../../../src/release/ReleaseStatus';
import { ANONYMOUS_APPROVER } from '../../../src/approvals/resolveApprover';
import type { DeployPlan, KindSummary, PlanStep } from '../../../src/planning/DeployPlan';
import {
  renderApprovalPage,
  type ApprovalPageModel,
  type ApprovalTarget,
} from '../../../src/web/renderApprovalPage';

const EVIL = '<script>alert(1)</script>';
const none: KindSummary = { create: 0, update: 0, unchanged: 0, delete: 0, drift: 0 };
const plan: DeployPlan = {
  version: 1,
  environment: 'qa',
  steps: [
    {
      key: 'clusters.Small',
      kind: 'clusters',
      action: 'update',
      wave: 1,
      target: 'Small',
      reason: 'spec changed',
      changes: ['num_workers', 'spark_version'],
      liveId: '0101-1',
    },
    { key: `clusters.${EVIL}`, kind: 'clusters', action: 'create', wave: 1, target: EVIL, reason: 'new' },
    {
      key: 'clusters.Big',
      kind: 'clusters',
      action: 'unchanged',
      wave: 1,
      target: 'Big',
      reason: 'same hash',
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
    {
      key: 'notebooks./etl/old',
      kind: 'notebooks',
      action: 'delete',
      wave: 4,
      target: '/Shared/etl/old"onclick="x',
      reason: 'removed from bundle',
    },
  ],
  summary: {
    initScripts: none,
    clusters: { create: 1, update: 1, unchanged: 1, delete: 0, drift: 0 },
    notebooks: { ...none, delete: 1, unchanged: 12 },
    files: none,
    jobs: { ...none, unchanged: 1, drift: 1 },
  },
};
const stage: StageStatus = {
  environment: 'qa',
  state: 'waiting',
  plan: plan.summary,
  approval: { required: true, expiresAt: '2026-11-28T10:00:00.000Z' },
};
const model: ApprovalPageModel = {
  release: {
    releaseId: 'github-contoso-etl-3f2a9c1',
    bundleId: 'f'.repeat(64),
    source: {
      kind: 'github',
      commit: '3f2a9c1d',
      ref: 'refs/heads/main',
      repository: 'contoso/<etl>',
      requestedBy: `mallory ${EVIL}`,
    },
  },
  stage,
  plan,
  linkExpiresAt: new Date('2026-11-28T10:00:00Z'),
  now: new Date('2026-11-25T08:30:00Z'),
  formAction: '/api/approvals/eyJ2IjoxfQ.abc-_',
  viewer: { ok: true, approver: 'alice@contoso.com', authenticated: true },
};

describe('renderApprovalPage', () => {
  const html = renderApprovalPage(model);

  it('escapes every value that comes from a bundle or a push', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('"onclick="x');
    expect(html).not.toContain('<b>by</b>');
    expect(html).not.toContain('contoso/<etl>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('contoso/&lt;etl&gt;');
    expect(html).toContain('edited in the UI &lt;b&gt;by&lt;/b&gt; someone');
  });

  it('says which release, from where, who asked, for which environment, until when', () => {
    for (const text of [
      'Deploy to QA?',
      'github-contoso-etl-3f2a9c1',
      '3f2a9c1d',
      'refs/heads/main',
      'GitHub push',
      `mallory &lt;script&gt;`,
      '2026-11-28 10:00 UTC (in 3 d 1 h)',
      'f'.repeat(64),
    ]) {
      expect(html).toContain(text);
    }
  });

  it('shows the plan: totals, counts per kind, and each changed item with its reason and fields', () => {
    expect(html).toContain(
      '1 to create, 1 to update, 1 to delete</strong>, <span class="drift">1 changed outside bricklane',
    );
    expect(html).toContain('<h3>Clusters</h3>');
    expect(html).toContain('create 1 · update 1 · delete 0 · drift 0 · unchanged 1');
    expect(html).toMatch(/badge update">update<\/span><code>Small<\/code><span class="sub">spec changed/);
    expect(html).toContain('changes: <code>num_workers</code>, <code>spark_version</code>');
    expect(html).toMatch(/badge delete">delete<\/span><code>\/Shared\/etl\/old&quot;onclick=&quot;x<\/code>/);
    expect(html).toContain('<h3>Jobs</h3>');
    expect(html).toContain('drift: edited in the UI');
    // Unchanged items without drift are counted, not listed; kinds with nothing to do are left out.
    expect(html).not.toContain('<code>Big</code>');
    expect(html).not.toContain('Init scripts');
  });

  it('shows the plan warnings (an unoffered runtime) before the list, escaped, and nothing without them', () => {
    const warned = renderApprovalPage({
      ...model,
      plan: { ...plan, warnings: [`clusters.Odd: spark_version "99.9.x-scala9" ${EVIL}`] },
    });
    expect(warned).toContain(
      '<section class="notice" id="warnings"><h2>Warnings</h2><ul><li>clusters.Odd: spark_version &quot;99.9.x-scala9&quot; &lt;script&gt;',
    );
    expect(warned.indexOf('id="warnings"')).toBeLessThan(warned.indexOf('<h2>What will change</h2>'));
    expect(html).not.toContain('id="warnings"');
  });

  it('posts Approve / Reject with an optional comment back to the same URL, without JavaScript', () => {
    expect(html).toContain('<form method="post" action="/api/approvals/eyJ2IjoxfQ.abc-_">');
    expect(html).toContain(
      '<button type="submit" name="decision" value="approve" class="approve">Approve</button>',
    );
    expect(html).toContain(
      '<button type="submit" name="decision" value="reject" class="reject">Reject</button>',
    );
    expect(html).toContain('<textarea id="comment" name="comment" rows="3" maxlength="1000"></textarea>');
    expect(html).toContain('signed in as <strong>alice@contoso.com</strong>');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).not.toMatch(/<script|javascript:|\son\w+=/i);
  });

  it('falls back to the counts of the release status when the full plan is missing', () => {
    const page = renderApprovalPage({ ...model, plan: undefined });
    expect(page).toContain('1 to create, 1 to update, 1 to delete');
    expect(page).toContain('the detailed plan could not be read');
    expect(renderApprovalPage({ ...model, plan: undefined, stage: { ...stage, plan: undefined } })).toContain(
      'The plan of this environment is not available.',
    );
  });

  it('says when nothing changes', () => {
    const empty: DeployPlan = {
      ...plan,
      steps: [],
      summary: { initScripts: none, clusters: none, notebooks: none, files: none, jobs: none },
    };
    expect(renderApprovalPage({ ...model, plan: empty })).toContain('0 to create, 0 to update, 0 to delete');
    expect(renderApprovalPage({ ...model, plan: empty })).toContain('Nothing changes in this environment');
  });

  it('tells an anonymous link holder how the decision is recorded', () => {
    const page = renderApprovalPage({
      ...model,
      viewer: { ok: true, approver: ANONYMOUS_APPROVER, authenticated: false },
    });
    expect(page).toContain(
      'not signed in; the decision is recorded as <strong>anonymous (link holder)</strong>',
    );
  });

  it('disables the buttons and offers sign-in when the viewer may not decide', () => {
    const page = renderApprovalPage({
      ...model,
      viewer: { ok: false, reason: 'signInRequired', message: 'Only named approvers may decide for qa.' },
      signInUrl: '/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fapprovals%2Fx&y',
    });
    expect(page).toContain('Only named approvers may decide for qa.');
    expect(page).toContain(
      '<a href="/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fapprovals%2Fx&amp;y">Sign in</a>',
    );
    expect(page).toContain('value="approve" class="approve" disabled>');
    expect(page).toContain('value="reject" class="reject" disabled>');
  });

  it('limits a huge plan to a readable list per kind', () => {
    const steps = Array.from({ length: 450 }, (_, i) => ({
      key: `notebooks./n${i}`,
      kind: 'notebooks' as const,
      action: 'create' as const,
      wave: 2,
      target: `/n${i}`,
      reason: 'new',
    }));
    const big: DeployPlan = {
      ...plan,
      steps,
      summary: { ...plan.summary, notebooks: { ...none, create: 450 } },
    };
    const page = renderApprovalPage({ ...model, plan: big });
    expect(page).toContain('<code>/n199</code>');
    expect(page).not.toContain('<code>/n200</code>');
    expect(page).toContain('… and 250 more');
  });
});

describe('renderApprovalPage: the safety review and field diffs', () => {
  const MALLORY = 'mallory@evil.example"><img src=x>';
  const safetyPlan: DeployPlan = {
    ...plan,
    steps: [
      {
        ...(plan.steps[0] as PlanStep),
        changes: ['autoscale', 'spark_version'],
        diff: [
          { path: 'autoscale.max_workers', before: 4, after: 40 },
          { path: 'init_scripts', after: [{ dbfs: { destination: 'dbfs:/databricks/init/x.sh' } }] },
          { path: 'spark_version', before: '14.3.x-scala2.12', after: '15.4.x-scala2.12' },
        ],
        diffOmitted: 7,
      },
      {
        key: 'jobs.evil_job',
        kind: 'jobs',
        action: 'create',
        wave: 3,
        target: 'evil_job',
        reason: 'new',
        diff: [
          {
            path: 'access_control_list',
            after: [
              { user_name: MALLORY, permission_level: 'IS_OWNER' },
              { group_name: 'data-eng', permission_level: 'CAN_VIEW' },
            ],
          },
          { path: 'job_clusters[0].new_cluster.policy_id', after: 'P-<1>' },
          { path: 'run_as', after: { service_principal_name: '7f3c-<sp>' } },
        ],
      },
      {
        key: 'notebooks./Shared/etl/<nb>',
        kind: 'notebooks',
        action: 'adopt' as PlanStep['action'],
        wave: 2,
        target: '/Shared/etl/<nb>',
        reason: 'exists in the workspace but bricklane did not deploy it',
      },
      {
        key: 'jobs.old',
        kind: 'jobs',
        action: 'delete',
        wave: 4,
        target: 'old_<job>',
        reason: 'removed from the bundle (prune is on)',
      },
    ],
  };
  const html = renderApprovalPage({
    ...model,
    plan: { ...safetyPlan, summary: { ...plan.summary, notebooks: { ...none, adopt: 1 } } },
  });
  const safety = html.slice(html.indexOf('<section class="safety"'), html.indexOf('</section>'));

  it('puts the safety review above the list of what will change', () => {
    expect(html.indexOf('<h2>Safety review</h2>')).toBeGreaterThan(html.indexOf('Link expires'));
    expect(html.indexOf('<h2>Safety review</h2>')).toBeLessThan(html.indexOf('<h2>What will change</h2>'));
  });

  it('shows who the job runs as, each permission by principal, init scripts, sizes, policies, deletes and adoptions', () => {
    expect(safety).toMatch(
      /<code>evil_job<\/code><span class="sub">jobs<\/span>: <em class="unset">not set<\/em> → <ins>service principal 7f3c-&lt;sp&gt;<\/ins>/,
    );
    for (const text of [
      '<h3>Runs as</h3>',
      '<h3>Permissions</h3>',
      '<li>user mallory@evil.example&quot;&gt;&lt;img src=x&gt;: <em class="unset">none</em> → <ins>IS_OWNER</ins></li>',
      '<li>group data-eng: <em class="unset">none</em> → <ins>CAN_VIEW</ins></li>',
      '<h3>Init scripts</h3>',
      '<ins>dbfs dbfs:/databricks/init/x.sh</ins>',
      '<h3>Cluster size</h3>',
      '<code>Small</code><span class="sub">clusters</span> <code>autoscale.max_workers</code>: <del>4</del> → <ins>40</ins>',
      '<h3>Cluster policy</h3>',
      '<code>job_clusters[0].new_cluster.policy_id</code>: <em class="unset">not set</em> → <ins>&quot;P-&lt;1&gt;&quot;</ins>',
      '<h3>Deleted</h3>',
      '<span class="badge delete">delete</span><code>old_&lt;job&gt;</code>',
      '<h3>Adopted (in the workspace, not deployed by bricklane; overwritten only where adoption is allowed)</h3>',
      '<span class="badge adopt">adopt</span><code>/Shared/etl/&lt;nb&gt;</code><span class="sub">notebooks</span>',
      'The field list of <code>clusters.Small</code> is cut',
    ]) {
      expect(safety).toContain(text);
    }
    // spark_version is not a safety field: it is in the diff below, not in the review.
    expect(safety).not.toContain('spark_version');
  });

  it('shows each changed cluster or job field by field, old -> new, instead of the field names only', () => {
    const list = html.slice(html.indexOf('<h2>What will change</h2>'));
    expect(list).toContain(
      '<li><code>spark_version</code> <del>&quot;14.3.x-scala2.12&quot;</del> → <ins>&quot;15.4.x-scala2.12&quot;</ins></li>',
    );
    expect(list).toContain('<li><code>autoscale.max_workers</code> <del>4</del> → <ins>40</ins></li>');
    expect(list).toContain('… and 7 more fields');
    expect(list).toContain('1 to create, 1 to update, 0 to delete, 1 to adopt</strong>');
    expect(list).toContain('create 0 · update 0 · delete 0 · drift 0 · adopt 1 · unchanged 0');
    expect(list).not.toContain('changes: <code>autoscale</code>');
    expect(list).toContain(
      '<code>run_as</code> <em class="unset">not set</em> → <ins>{&quot;service_principal_name&quot;',
    );
  });

  it('escapes everything and stays without script', () => {
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<script|javascript:|\son\w+=/i);
  });

  it('says when nothing safety-relevant changes, and when the plan cannot be read', () => {
    expect(html.includes('Nothing in this plan sets who a job runs as')).toBe(false);
    const quiet = { ...plan, steps: plan.steps.filter((s) => s.action !== 'delete') };
    expect(renderApprovalPage({ ...model, plan: quiet })).toContain(
      'Nothing in this plan sets who a job runs as',
    );
    expect(renderApprovalPage(model)).toContain('<h3>Deleted</h3>');
    expect(renderApprovalPage({ ...model, plan: undefined })).toContain(
      'who jobs run as, permissions, init scripts and cluster sizes cannot be shown',
    );
  });

  describe('where and who', () => {
    const target: ApprovalTarget = {
      databricksAuth: 'keyVaultServicePrincipal',
      subscriptionId: '00000000-0000-0000-0000-0000000000aa',
      resourceGroup: 'Databricks-QA',
      workspaceName: 'Databricks-QA',
      keyVaultName: 'KeyVault-QA',
    };
    const where = (html: string): string => /<h2>Where<\/h2>.*?<\/div>/s.exec(html)?.[0] ?? '';

    it('names the subscription, resource group, workspace URL and Key Vault, and creates nothing when the workspace exists', () => {
      const html = renderApprovalPage({
        ...model,
        target,
        plan: { ...plan, workspace: { exists: true, url: 'https://adb-1.2.azuredatabricks.net' } },
      });
      const section = where(html);
      expect(section).toContain('<dt>Subscription</dt><dd><code>00000000-0000-0000-0000-0000000000aa</code>');
      expect(section).toContain('<dt>Resource group</dt><dd><code>Databricks-QA</code>');
      expect(section).toContain(
        '<code>Databricks-QA</code> <a href="https://adb-1.2.azuredatabricks.net">https://adb-1.2.azuredatabricks.net</a>',
      );
      expect(section).toContain('<dt>Key Vault</dt><dd><code>KeyVault-QA</code>');
      expect(section).toContain('<dt>Azure resources created</dt><dd>none (the workspace exists)');
    });

    it('says the workspace does not exist yet and which Azure resources approving creates', () => {
      const html = renderApprovalPage({ ...model, target, plan: { ...plan, workspace: { exists: false } } });
      const section = where(html);
      expect(section).toContain('<strong>does not exist yet; approving creates it</strong>');
      expect(section).toContain(
        'the Databricks workspace Databricks-QA, and the resource group Databricks-QA and Key Vault KeyVault-QA if missing',
      );
      // A plan stored before it said where it looked: the page does not guess.
      expect(where(renderApprovalPage({ ...model, target }))).toContain(
        'unknown (this plan does not say whether the workspace exists)',
      );
    });

    it('in token mode names the workspace URL and creates nothing in Azure; without a target says nothing', () => {
      const html = renderApprovalPage({
        ...model,
        target: { ...target, databricksAuth: 'token', workspaceUrl: 'https://dbc-1.example.net/"x' },
      });
      const section = where(html);
      expect(section).toContain('<a href="https://dbc-1.example.net/&quot;x">');
      expect(section).toContain('none (a fixed workspace, reached with a token)');
      expect(section).not.toContain('Subscription');
      expect(renderApprovalPage(model)).not.toContain('<h2>Where</h2>');
    });

    it('says who may decide: the allow-list, or anyone holding the link, in bold', () => {
      expect(renderApprovalPage({ ...model, approvers: [] })).toContain(
        'Who may decide: <strong>anyone holding this link</strong>',
      );
      expect(renderApprovalPage({ ...model, approvers: ['alice@contoso.com', EVIL] })).toContain(
        'Who may decide: Only <code>alice@contoso.com</code>, <code>&lt;script&gt;alert(1)&lt;/script&gt;</code>',
      );
    });

    it("shows the previous stage's outcome and when it ended, and links to the release", () => {
      const html = renderApprovalPage({
        ...model,
        statusUrl: '/api/views/v.tok',
        previousStage: {
          environment: 'dev',
          state: 'succeeded',
          finishedAt: '2026-11-25T08:10:00.000Z',
        },
      });
      expect(html).toContain('<dt>Previous stage</dt><dd>Dev (dev): Succeeded, 2026-11-25 08:10:00 UTC</dd>');
      expect(html).toContain('<a href="/api/views/v.tok">Release status</a>');
    });
  });
});
