import { describe, expect, it } from 'vitest';
import type { ApprovalDecisionRecord } from '../../../src/approvals/ApprovalDecisionRecord';
import { decisionAuditEvent, decisionPrincipal } from '../../../src/approvals/decisionAuditEvent';

const record: ApprovalDecisionRecord = {
  releaseId: 'r1',
  environment: 'prod',
  waitId: 'w1',
  decision: 'approve',
  approver: 'alice@contoso.com',
  comment: 'ship it',
  decidedAt: '2026-12-05T10:00:00.000Z',
};
const principalHeader = Buffer.from(
  JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'groups', val: 'g-secret-list' }] }),
).toString('base64');
const headers = (values: Record<string, string>): { get: (n: string) => string | null } => ({
  get: (name) => values[name.toLowerCase()] ?? null,
});
const signedIn = headers({
  'x-ms-client-principal-idp': 'AAD',
  'x-ms-client-principal': principalHeader,
  'x-ms-token-aad-access-token': 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2ln',
});

describe('decisionAuditEvent', () => {
  it('keeps who, when, the comment, the wait and the claims that decided; never a header or token', () => {
    const event = decisionAuditEvent(
      record,
      decisionPrincipal(
        {
          approver: 'alice@contoso.com',
          authenticated: true,
          objectId: '11111111-2222-3333-4444-555555555555',
          upn: 'alice@contoso.com',
          via: 'group:66666666-7777-8888-9999-000000000000',
        },
        signedIn,
        true,
      ),
    );
    expect(event).toEqual({
      id: 'r1/prod/approval/w1/11111111-2222-3333-4444-555555555555',
      at: record.decidedAt,
      environment: 'prod',
      releaseId: 'r1',
      kind: 'approval',
      decision: 'approve',
      approver: 'alice@contoso.com',
      decidedAt: record.decidedAt,
      comment: 'ship it',
      waitId: 'w1',
      principal: {
        authenticated: true,
        provider: 'aad',
        objectId: '11111111-2222-3333-4444-555555555555',
        upn: 'alice@contoso.com',
        via: 'group:66666666-7777-8888-9999-000000000000',
        groups: ['66666666-7777-8888-9999-000000000000'],
      },
    });
    const text = JSON.stringify(event);
    expect(text).not.toContain('eyJ');
    expect(text).not.toContain(principalHeader);
    expect(text).not.toContain('g-secret-list');
  });

  it('trusts the provider header only with Easy Auth on, and names a link holder as such', () => {
    const anonymous = decisionAuditEvent(
      { ...record, approver: 'anonymous (link holder)' },
      decisionPrincipal(
        { approver: 'anonymous (link holder)', authenticated: false, via: 'anyone' },
        signedIn,
        false,
      ),
    );
    expect(anonymous.id).toBe('r1/prod/approval/w1/anonymous (link holder)');
    expect(anonymous).toMatchObject({ principal: { authenticated: false, via: 'anyone' } });
    expect(JSON.stringify(anonymous)).not.toContain('aad');
  });
});
