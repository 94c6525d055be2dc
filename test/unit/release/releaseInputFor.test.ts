// One release-id shape for uploads and pushes, and the same request always maps to the same id.
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/loadSettings';
import { releaseInputFor, type ReleaseRequest } from '../../../src/release/releaseInputFor';

const settings = loadSettings({
  BRICKLANE_DEV_DATABRICKS_AUTH: 'token',
  BRICKLANE_DEV_WORKSPACE_URL: 'https://adb-1.1.azuredatabricks.net',
  BRICKLANE_DEV_DATABRICKS_TOKEN: 'dapi-test',
  BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true',
});
const COMMIT = '6113728f27ae82c7d1e0f9a8b7c6d5e4f3a2b1c0';
const BUNDLE = 'b'.repeat(64);
const SHAPE = /^release-[0-9a-f]{10,12}-[0-9a-f]{12}$/;

const upload = (over: Partial<ReleaseRequest> = {}): string =>
  releaseInputFor(settings, { bundleId: BUNDLE, source: { kind: 'upload', requestedBy: 'op' }, ...over })
    .releaseId;
const push = (commit = COMMIT): string =>
  releaseInputFor(settings, {
    fetch: { kind: 'github', repository: 'contoso/etl', commit },
    source: { kind: 'github', commit, repository: 'contoso/etl' },
  }).releaseId;

describe('releaseInputFor release ids', () => {
  it('gives an upload, an upload with a commit and a push one shape: release-<commit or bundle>-<key>', () => {
    const withCommit = upload({ source: { kind: 'upload', commit: COMMIT, requestedBy: 'op' } });
    expect(upload()).toMatch(/^release-bbbbbbbbbbbb-[0-9a-f]{12}$/);
    expect(withCommit).toMatch(/^release-6113728f27-[0-9a-f]{12}$/);
    expect(push()).toMatch(/^release-6113728f27-[0-9a-f]{12}$/);
    for (const id of [upload(), withCommit, push()]) expect(id).toMatch(SHAPE);
  });

  it('maps the same upload or push to the same id, and keeps different bundles of one commit apart', () => {
    expect(upload()).toBe(upload());
    expect(push()).toBe(push());
    const source = { kind: 'upload' as const, commit: COMMIT, requestedBy: 'op' };
    expect(upload({ source })).not.toBe(upload({ source, bundleId: 'c'.repeat(64) }));
    expect(upload({ source })).not.toBe(push());
    expect(upload()).not.toBe(upload({ rerun: '2026-12-04T22:00:00Z' }));
  });
});
