// Unit tests: the release view of an orchestration status: a Completed release shows its output, a running
// one its custom status with signed links on waiting stages, and a Failed or Terminated one its last custom
// status with every stage, a plain message and nothing of the failure text (stack trace, server paths).
import { describe, expect, it } from 'vitest';
import { releaseView, type OrchestrationState } from '../../../src/release/releaseView';
import type { ReleaseStatus } from '../../../src/release/ReleaseStatus';

const STARTED = '2026-11-25T09:00:00.000Z';
const UPDATED = '2026-11-25T09:05:00.000Z';
const running: ReleaseStatus = {
  releaseId: 'release-1',
  bundleId: 'b'.repeat(64),
  source: { kind: 'manual' },
  state: 'running',
  startedAt: STARTED,
  stages: [
    { environment: 'dev', state: 'succeeded', startedAt: STARTED, finishedAt: UPDATED },
    { environment: 'qa', state: 'deploying', startedAt: STARTED },
    { environment: 'prod', state: 'pending' },
  ],
};
const FAILURE_TEXT =
  "Orchestrator function 'deployRelease' failed: TypeError: Cannot read properties of undefined (reading 'x')\n" +
  '    at deployRelease (/home/site/wwwroot/dist/src/orchestrations/deployRelease.js:42:17)\n' +
  '    at Generator.next (<anonymous>)';

const state = (over: Partial<OrchestrationState>): OrchestrationState => ({
  instanceId: 'release-1',
  runtimeStatus: 'Running',
  createdTime: STARTED,
  lastUpdatedTime: UPDATED,
  ...over,
});
const noLinks = (): undefined => undefined;

describe('releaseView', () => {
  it('shows a Failed release with every stage of its last custom status, marked failed, in plain words', () => {
    const view = releaseView(
      state({ runtimeStatus: 'Failed', output: FAILURE_TEXT, customStatus: running }),
      noLinks,
    );
    expect(view.state).toBe('failed');
    expect(view.message).toMatch(/^the release stopped on an unexpected error/);
    expect(view.finishedAt).toBe(UPDATED);
    expect(view.stages?.map((s) => [s.environment, s.state, s.message])).toEqual([
      ['dev', 'succeeded', undefined],
      ['qa', 'failed', 'stopped while deploying'],
      ['prod', 'skipped', undefined],
    ]);
    const json = JSON.stringify(view);
    expect(json).not.toContain('wwwroot');
    expect(json).not.toContain(' at ');
    expect(json).not.toContain('TypeError');
    // The failure string is never spread into the view, one key per character.
    expect(Object.keys(view)).not.toContain('0');
  });

  it('shows a Terminated release the same way, saying it was terminated', () => {
    const view = releaseView(
      state({ runtimeStatus: 'Terminated', output: 'stopped by the operator', customStatus: running }),
      noLinks,
    );
    expect(view.state).toBe('failed');
    expect(view.message).toMatch(/^the release was terminated/);
    expect(view.stages?.map((s) => s.state)).toEqual(['succeeded', 'failed', 'skipped']);
    expect(JSON.stringify(view)).not.toContain('stopped by the operator');
  });

  it('says a release failed even when it never published a status', () => {
    const view = releaseView(state({ runtimeStatus: 'Failed', output: FAILURE_TEXT }), noLinks);
    expect(view).toEqual({
      releaseId: 'release-1',
      runtimeStatus: 'Failed',
      createdTime: STARTED,
      lastUpdatedTime: UPDATED,
      state: 'failed',
      message: expect.stringMatching(/^the release stopped on an unexpected error/),
    });
  });

  it('shows a Completed release as its output, and a running one as its custom status with links', () => {
    const done: ReleaseStatus = { ...running, state: 'succeeded', stages: [] };
    expect(
      releaseView(state({ runtimeStatus: 'Completed', output: done, customStatus: running }), noLinks),
    ).toMatchObject({ state: 'succeeded', stages: [] });
    const waiting: ReleaseStatus = {
      ...running,
      state: 'waiting',
      stages: [{ environment: 'qa', state: 'waiting', approval: { required: true, expiresAt: UPDATED } }],
    };
    const view = releaseView(
      state({ customStatus: waiting }),
      (id, env, expiresAt) => `link:${id}:${env}:${expiresAt}`,
    );
    expect(view.stages?.[0]?.approvalUrl).toBe(`link:release-1:qa:${UPDATED}`);
  });
});
