import { describe, expect, it } from 'vitest';
import {
  describePlanned,
  renderRollbackOffer,
  renderRollbackOffers,
  renderRollbackPage,
  type RollbackPageModel,
} from '../../../src/web/renderRollbackPage';

const KNOWN = { bundleId: 'b'.repeat(64), releaseId: 'release-good', at: '2026-12-01T10:00:00.000Z' };
const model: RollbackPageModel = {
  environment: 'qa',
  failed: {
    releaseId: 'release-bad',
    bundleId: 'f'.repeat(64),
    message: 'check smoke_test failed: <script>alert(1)</script>',
    plan: { notebooks: { update: 2 }, jobs: { create: 1 } },
  },
  knownGood: KNOWN,
  approvers: ['ops@contoso.example'],
  viewer: { ok: true, approver: 'ops@contoso.example', authenticated: true, via: 'allow-list' },
  formAction: '/api/rollbacks/abc.def',
  statusUrl: 'https://app.example.net/api/views/x.y',
};

describe('renderRollbackPage', () => {
  it('names the environment, the bundle and release it restores, what it replaces and what changes', () => {
    const html = renderRollbackPage(model);
    expect(html).toContain('<h1>Roll back QA?</h1>');
    expect(html).toContain(`bundle <code>${KNOWN.bundleId}</code> of release <code>release-good</code>`);
    expect(html).toContain(`bundle <code>${'f'.repeat(64)}</code> of release <code>release-bad</code>`);
    expect(html).toContain('(its plan: 1 to create, 2 to update)');
    expect(html).toContain('removed when that bundle turns prune on');
    expect(html).toContain('<form method="post" action="/api/rollbacks/abc.def">');
    expect(html).toContain('name="confirm" value="rollback"');
    expect(html).not.toContain(' disabled');
    // Escaped: a message from a job run is text.
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it("names a ring's workspace, the only one it restores", () => {
    const html = renderRollbackPage({
      ...model,
      environment: 'prod.weu',
      workspace: { ring: 'prod', name: 'Databricks-MyProj-Prod-weu' },
    });
    expect(html).toContain('<h1>Roll back Prod workspace prod.weu?</h1>');
    expect(html).toContain('<dt>Environment</dt><dd>Prod</dd>');
    expect(html).toContain(
      '<dt>Workspace</dt><dd><code>prod.weu</code> (<code>Databricks-MyProj-Prod-weu</code>), the only one of the ring this restores</dd>',
    );
    expect(html).toContain('A new release does it, in Prod workspace prod.weu only');
    expect(renderRollbackPage(model)).not.toContain('<dt>Workspace</dt>');
  });

  it('disables the button for a viewer who may not confirm, with the sign-in link when signing in helps', () => {
    const html = renderRollbackPage({
      ...model,
      viewer: { ok: false, reason: 'signInRequired', message: 'Sign in to roll back.' },
      signInUrl: '/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Frollbacks%2Fabc.def',
    });
    expect(html).toContain('<button type="submit" name="confirm" value="rollback" class="reject" disabled>');
    expect(html).toContain('Sign in to roll back. <a href="/.auth/login/aad?post_login_redirect_uri=');
  });
});

describe('renderRollbackOffer', () => {
  it('links to the confirmation page, escaped', () => {
    const html = renderRollbackOffer({
      environment: 'qa',
      knownGood: KNOWN,
      url: 'https://app.example.net/api/rollbacks/a.b?x=1&y=2',
    });
    expect(html).toContain('<h2>Roll back QA</h2>');
    expect(html).toContain('href="https://app.example.net/api/rollbacks/a.b?x=1&amp;y=2"');
    expect(html).toContain('nothing happens until you confirm there');
  });
});

describe('renderRollbackOffers', () => {
  it("shows one environment's offer as before, and a ring's in one card listing each workspace's link", () => {
    const single = { environment: 'qa', knownGood: KNOWN, url: 'https://app.example.net/api/rollbacks/q.1' };
    expect(renderRollbackOffers([single])).toBe(renderRollbackOffer(single));
    expect(renderRollbackOffers([])).toBe('');
    const ring = ['weu', 'neu'].map((t) => ({
      environment: `prod.${t}`,
      knownGood: KNOWN,
      url: `https://app.example.net/api/rollbacks/${t}.1`,
      workspace: { ring: 'prod', name: `Databricks-MyProj-Prod-${t}` },
    }));
    const html = renderRollbackOffers(ring);
    expect(html).toContain('<h2>Roll back workspaces of Prod</h2>');
    expect(
      [...html.matchAll(/<a class="action" href="([^"]+)">Roll back <code>([^<]+)<\/code>…<\/a>/g)].map(
        (m) => [m[2], m[1]],
      ),
    ).toEqual(ring.map((o) => [o.environment, o.url]));
    expect(html.match(/<section /g)).toHaveLength(1);
  });
});

describe('describePlanned', () => {
  it('sums the plan over kinds, leaving out what is zero', () => {
    expect(describePlanned({ notebooks: { create: 1, delete: 2 }, clusters: { adopt: 1 } })).toBe(
      '1 to create, 1 to update, 2 to delete',
    );
    expect(describePlanned({ notebooks: { unchanged: 3 } })).toBeUndefined();
    expect(describePlanned(undefined)).toBeUndefined();
  });
});
