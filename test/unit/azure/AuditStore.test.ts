import { describe, expect, it } from 'vitest';
import {
  auditLine,
  dedupeAuditRecords,
  MAX_AUDIT_LIST,
  MAX_AUDIT_TEXT,
  parseAuditLines,
} from '../../../src/azure/AuditStore';
import { auditEventId, type AuditEvent } from '../../../src/release/AuditEvent';

const approval: AuditEvent = {
  v: 1,
  id: auditEventId('r1', 'prod', 'approval', 'wait-1', 'alice@contoso.com'),
  at: '2026-12-05T10:00:00.000Z',
  environment: 'prod',
  releaseId: 'r1',
  kind: 'approval',
  decision: 'approve',
  approver: 'alice@contoso.com',
  decidedAt: '2026-12-05T10:00:00.000Z',
  waitId: 'wait-1',
  principal: { authenticated: true, provider: 'aad', groups: ['g1'] },
};

describe("the audit trail's lines", () => {
  it('is one JSON object per line, with a deterministic id naming release, environment, kind and what is unique', () => {
    expect(approval.id).toBe('r1/prod/approval/wait-1/alice@contoso.com');
    const line = auditLine(approval);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line)).toEqual(approval);
    expect(parseAuditLines(line + line)).toEqual([approval, approval]);
  });

  it('bounds texts and lists, and leaves undefined fields out', () => {
    const long = {
      ...approval,
      comment: 'x'.repeat(MAX_AUDIT_TEXT * 3),
      principal: {
        authenticated: true,
        groups: Array.from({ length: MAX_AUDIT_LIST + 7 }, (_, i) => `g${i}`),
      },
      missing: undefined,
    } as AuditEvent;
    const parsed = JSON.parse(auditLine(long)) as Record<string, unknown> & {
      comment: string;
      principal: { groups: string[] };
    };
    expect(parsed.comment).toHaveLength(MAX_AUDIT_TEXT);
    expect(parsed.comment.endsWith('…')).toBe(true);
    expect(parsed.principal.groups).toHaveLength(MAX_AUDIT_LIST + 1);
    expect(parsed.principal.groups.at(-1)).toBe('… 7 more');
    expect('missing' in parsed).toBe(false);
  });

  it('skips lines that are not version-1 events instead of failing the read', () => {
    const text = ['not json', '{"v":2,"id":"x"}', '', auditLine(approval).trim(), '{"v":1}'].join('\n');
    expect(parseAuditLines(text)).toEqual([approval]);
  });

  it('drops repeated ids (a retried append), keeping the first, also across calls sharing `seen`', () => {
    const other: AuditEvent = { ...approval, id: 'r1/prod/approval/wait-1/bob', approver: 'bob' };
    const later = { ...approval, at: '2026-12-05T10:00:05.000Z' };
    const seen = new Set<string>();
    expect(dedupeAuditRecords([approval, other, later], seen)).toEqual([approval, other]);
    expect(dedupeAuditRecords([later], seen)).toEqual([]);
  });
});
