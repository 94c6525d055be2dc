import { describe, expect, it } from 'vitest';
import {
  externalCheckAuditEvent,
  inEnvironmentTrail,
  plannedAuditEvent,
  type AuditEvent,
  releaseStartedEvents,
  stageEndFacts,
} from '../../../src/release/AuditEvent';
import type { ReleaseInput } from '../../../src/release/ReleaseInput';
import { describeAuditEvent } from '../../../src/cli/runAudit';

describe('the audit events of a release', () => {
  it("records a ring target's plan in the ring environment's trail, naming the target", () => {
    const ref = { releaseId: 'r1', bundleId: 'b1' };
    expect(plannedAuditEvent({ ...ref, environment: 'prod.weu' }, 'p1', 2, { jobs: { create: 2 } })).toEqual({
      id: 'r1/prod/planned/prod.weu/b1/p1',
      environment: 'prod',
      releaseId: 'r1',
      kind: 'planned',
      target: 'prod.weu',
      bundleId: 'b1',
      planId: 'p1',
      changes: 2,
      counts: { jobs: { create: 2 } },
    });
    expect(plannedAuditEvent({ ...ref, environment: 'qa' }, 'p1', 0, {})).toMatchObject({
      id: 'r1/qa/planned/b1/p1',
      environment: 'qa',
    });
    expect('target' in plannedAuditEvent({ ...ref, environment: 'qa' }, 'p1', 0, {})).toBe(false);
  });

  it("puts any event written under a ring workspace's key (a one-workspace rollback release) in the ring's trail", () => {
    const started = releaseStartedEvents({
      releaseId: 'rollback-prod.weu-r1',
      bundleId: 'b0',
      source: { kind: 'manual', requestedBy: 'alice' },
      environments: ['prod.weu'],
      approvals: { 'prod.weu': { required: false, timeoutInHours: 1 } },
    })[0];
    expect(started && inEnvironmentTrail(started)).toMatchObject({
      id: 'rollback-prod.weu-r1/prod.weu/started/b0',
      environment: 'prod',
      target: 'prod.weu',
      kind: 'started',
    });
    const qa = { id: 'x', environment: 'qa', releaseId: 'r1', kind: 'approvalRequested' } as const;
    expect(inEnvironmentTrail(qa)).toBe(qa);
    // `bricklane audit` names the workspace.
    const record: AuditEvent = {
      ...qa,
      environment: 'prod',
      target: 'prod.weu',
      v: 1,
      at: '2026-12-05T06:00:00Z',
    };
    const line = describeAuditEvent(record);
    expect(line).toBe('2026-12-05T06:00:00Z  r1  [prod.weu]  approvalRequested  approval asked');
  });

  it('starts a release in each environment it targets, one id per release and bundle (or commit)', () => {
    const input: ReleaseInput = {
      releaseId: 'r1',
      bundleId: '',
      fetch: { kind: 'github', repository: 'contoso/etl', commit: 'c0ffee' },
      source: { kind: 'github', repository: 'contoso/etl', commit: 'c0ffee', requestedBy: 'octocat' },
      environments: ['dev', 'qa'],
      approvals: {},
    };
    expect(releaseStartedEvents(input).map((e) => [e.id, e.environment])).toEqual([
      ['r1/dev/started/c0ffee', 'dev'],
      ['r1/qa/started/c0ffee', 'qa'],
    ]);
    expect(releaseStartedEvents({ ...input, bundleId: 'b1' })[0]?.id).toBe('r1/dev/started/b1');
  });

  it("keeps a stage's end small: counts, each check's job, run and state, the policies", () => {
    const facts = stageEndFacts({
      environment: 'qa',
      state: 'rolledBack',
      finishedAt: '2026-12-05T10:00:00.000Z',
      outcome: { done: 3, failed: 0, skipped: 0 },
      checks: [
        {
          job: 'smoke',
          runId: 7,
          state: 'failed',
          message: 'boom',
          url: 'https://adb-1.azuredatabricks.net/?o=1#job/1/run/7',
        },
      ],
      policies: { wait: { minutes: 30, until: '2026-12-05T09:00:00.000Z', passed: true } },
    });
    expect(facts).toEqual({
      finishedAt: '2026-12-05T10:00:00.000Z',
      outcome: { done: 3, failed: 0, skipped: 0 },
      checks: [{ job: 'smoke', runId: 7, state: 'failed' }],
      policies: { wait: { minutes: 30, until: '2026-12-05T09:00:00.000Z', passed: true } },
    });
    expect(stageEndFacts({ environment: 'qa', state: 'rejected' })).toEqual({});
  });

  it("records an external check's answer by attempt and answer", () => {
    const check = { releaseId: 'r1', environment: 'prod', name: 'cm.contoso.com/gate', attempt: 2 };
    expect(externalCheckAuditEvent(check, { outcome: 'fail', message: 'CHG0042 is not approved' })).toEqual({
      id: 'r1/prod/policy/check:cm.contoso.com/gate/2/failing',
      environment: 'prod',
      releaseId: 'r1',
      kind: 'policy',
      policy: 'check:cm.contoso.com/gate',
      state: 'failing',
      message: 'CHG0042 is not approved',
    });
    expect(externalCheckAuditEvent(check, { outcome: 'pass' })).toMatchObject({ state: 'passed' });
    expect(externalCheckAuditEvent(check, { outcome: 'error' })).toMatchObject({ state: 'error' });
  });
});
