// Unit tests: the idempotency token of a check's run-now: the same for a retried call (so Databricks answers the
// run it started), new for a re-run of the release, another environment, another bundle (a rollback's check) or
// another job, and within the
// 64-character limit of jobs/run-now.
import { describe, expect, it } from 'vitest';
import { checkToken } from '../../../src/activities/startChecks';

const input = {
  releaseId: 'gh-contoso-etl-0123abc',
  bundleId: 'sha256-1',
  environment: 'dev',
  jobs: ['smoke_test'],
  startedAt: '2026-12-05T10:00:00.000Z',
};

describe('checkToken', () => {
  it('is the same for a retried call and differs for a re-run, another environment, bundle or job', () => {
    const token = checkToken(input, 'smoke_test');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(checkToken({ ...input }, 'smoke_test')).toBe(token);
    const others = [
      checkToken({ ...input, startedAt: '2026-12-05T11:00:00.000Z' }, 'smoke_test'),
      checkToken({ ...input, environment: 'qa' }, 'smoke_test'),
      checkToken({ ...input, releaseId: 'gh-contoso-etl-4567def' }, 'smoke_test'),
      checkToken({ ...input, bundleId: 'sha256-0' }, 'smoke_test'),
      checkToken(input, 'smoke_test_2'),
    ];
    expect(new Set([token, ...others]).size).toBe(6);
  });
});
