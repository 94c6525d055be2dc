import { describe, expect, it } from 'vitest';
import { MAX_COMMENT_LENGTH, parseDecisionRequest } from '../../../src/approvals/parseDecisionRequest';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json; charset=utf-8';

describe('parseDecisionRequest', () => {
  it.each([
    ['form approve', FORM, 'decision=approve', { ok: true, decision: 'approve' }],
    [
      'form reject with comment',
      FORM,
      'decision=reject&comment=not+today%0D%0Asorry',
      { ok: true, decision: 'reject', comment: 'not today\nsorry' },
    ],
    ['form with an empty comment', FORM, 'decision=approve&comment=++', { ok: true, decision: 'approve' }],
    [
      'form, type in capitals with charset',
      'Application/X-WWW-Form-Urlencoded; charset=UTF-8',
      'decision=approve',
      { ok: true, decision: 'approve' },
    ],
    [
      'json',
      JSON_TYPE,
      '{"decision":"reject","comment":"no"}',
      { ok: true, decision: 'reject', comment: 'no' },
    ],
    [
      'json with null comment',
      JSON_TYPE,
      '{"decision":"approve","comment":null}',
      { ok: true, decision: 'approve' },
    ],
    [
      'control characters are dropped',
      FORM,
      'decision=approve&comment=ok%1B%5B31m%00!',
      { ok: true, decision: 'approve', comment: 'ok[31m!' },
    ],
    ['no decision', FORM, 'comment=hi', { ok: false, status: 400 }],
    ['unknown decision', FORM, 'decision=maybe', { ok: false, status: 400 }],
    ['decision in capitals', FORM, 'decision=APPROVE', { ok: false, status: 400 }],
    ['json not an object', JSON_TYPE, '"approve"', { ok: false, status: 400 }],
    ['json invalid', JSON_TYPE, '{decision', { ok: false, status: 400 }],
    ['json comment not text', JSON_TYPE, '{"decision":"approve","comment":5}', { ok: false, status: 400 }],
    ['multipart', 'multipart/form-data; boundary=x', '--x--', { ok: false, status: 415 }],
    ['no content type', null, 'decision=approve', { ok: false, status: 415 }],
    ['text/plain', 'text/plain', 'decision=approve', { ok: false, status: 415 }],
  ] as const)('%s', (_name, contentType, body, expected) => {
    expect(parseDecisionRequest(contentType, body)).toMatchObject(expected);
  });

  it(`keeps comments up to ${MAX_COMMENT_LENGTH} characters and refuses longer ones`, () => {
    const at = parseDecisionRequest(FORM, `decision=approve&comment=${'x'.repeat(MAX_COMMENT_LENGTH)}`);
    expect(at).toMatchObject({ ok: true, comment: 'x'.repeat(MAX_COMMENT_LENGTH) });
    const over = parseDecisionRequest(FORM, `decision=approve&comment=${'x'.repeat(MAX_COMMENT_LENGTH + 1)}`);
    expect(over).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/1001 characters/) });
  });
});
