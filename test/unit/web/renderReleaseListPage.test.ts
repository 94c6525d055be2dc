import { describe, expect, it } from 'vitest';
import type { ReleaseView } from '../../../src/release/releaseView';
import { renderReleaseListPage } from '../../../src/web/renderReleaseListPage';

const EVIL = '<script>alert(1)</script>';
const SHA = 'a'.repeat(40);
const NOW = new Date('2026-11-25T08:30:00Z');
const running: ReleaseView = {
  releaseId: 'release-new',
  runtimeStatus: 'Running',
  createdTime: new Date('2026-11-25T08:20:00Z'),
  lastUpdatedTime: new Date('2026-11-25T08:29:00Z'),
  state: 'waiting',
  startedAt: '2026-11-25T08:20:00.000Z',
  source: {
    kind: 'github',
    commit: SHA,
    ref: 'refs/heads/main',
    repository: 'contoso/etl',
    requestedBy: EVIL,
  },
  stages: [
    { environment: 'dev', state: 'succeeded' },
    { environment: 'qa', state: 'waiting' },
    { environment: 'prod', state: 'pending' },
  ],
};
const done: ReleaseView = {
  releaseId: `release-${EVIL}`,
  runtimeStatus: 'Completed',
  createdTime: '2026-11-24T08:00:00.000Z',
  lastUpdatedTime: '2026-11-24T08:05:00.000Z',
  state: 'rejected',
  startedAt: '2026-11-24T08:00:00.000Z',
  finishedAt: '2026-11-24T08:05:00.000Z',
  source: { kind: 'upload' },
  stages: [{ environment: 'dev', state: 'rejected' }],
};

describe('renderReleaseListPage', () => {
  const html = renderReleaseListPage({
    releases: [running, done],
    now: NOW,
    releaseUrl: (id) => `https://app.example.net/api/views/${id === 'release-new' ? 'v13w.t0k' : 'x"y'}`,
  });

  it('lists each release with its state, stages, source, commit, start and a view link', () => {
    expect(html).toContain(
      '<a href="https://app.example.net/api/views/v13w.t0k"><code>release-new</code></a>',
    );
    expect(html).toContain('data-state="waiting"');
    expect(html).toContain('QA <span class="st st-wait" data-state="waiting">Waiting for approval</span>');
    expect(html).toContain('GitHub push · contoso/etl · <code>refs/heads/main</code>');
    expect(html).toContain(`href="https://github.com/contoso/etl/commit/${SHA}"`);
    expect(html).toContain('started 2026-11-25 08:20:00 UTC · running for 10 min 0 s');
    expect(html).toContain('started 2026-11-24 08:00:00 UTC · took 5 min 0 s');
    expect(html).toContain('bundle upload');
    // No link carries a function key (browser history), so there is no JSON link either.
    expect(html).not.toContain('code=');
    expect(html).not.toContain('format=json');
  });

  it('escapes names and encodes ids in links', () => {
    expect(html).not.toContain('<script');
    expect(html).toContain('by &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('href="https://app.example.net/api/views/x&quot;y"');
  });

  it('says which releases had their durable history purged', () => {
    expect(html).not.toContain('history purged');
    const archived = renderReleaseListPage({
      releases: [running, { ...done, archived: true }],
      now: NOW,
      releaseUrl: () => undefined,
    });
    expect(archived.match(/history purged/g)).toHaveLength(1);
    expect(archived).toContain(
      'started 2026-11-24 08:00:00 UTC · took 5 min 0 s · <span data-archived="true" title="Its durable history was purged; it is shown from its archived record, and its audit trail is kept.">history purged</span>',
    );
  });

  it('refreshes while a release runs, and says when there is none', () => {
    expect(html).toContain('<meta http-equiv="refresh" content="15">');
    const quiet = renderReleaseListPage({ releases: [done], now: NOW, releaseUrl: () => undefined });
    expect(quiet).not.toContain('http-equiv="refresh"');
    // Without signing keys there is no view link: the id is text.
    expect(quiet).toContain('<div class="head"><code>');
    const empty = renderReleaseListPage({ releases: [], now: NOW, releaseUrl: () => undefined });
    expect(empty).toContain('No release started in the last 90 days.');
  });
});
