// Pure: the body of a decision POST -> the decision and comment, or the 4xx that says what is wrong.
// The page's form sends application/x-www-form-urlencoded; scripts and tests may send JSON.

export const MAX_DECISION_BODY_BYTES = 16 * 1024;
export const MAX_COMMENT_LENGTH = 1000;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

export type DecisionRequest =
  | { ok: true; decision: 'approve' | 'reject'; comment?: string }
  | { ok: false; status: 400 | 415; message: string };

export function parseDecisionRequest(contentType: string | null, body: string): DecisionRequest {
  const mediaType = mediaTypeOf(contentType);
  let decision: unknown;
  let comment: unknown;
  if (mediaType === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(body);
    decision = form.get('decision');
    comment = form.get('comment') ?? undefined;
  } else if (mediaType === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return { ok: false, status: 400, message: 'The request body is not valid JSON.' };
    }
    if (typeof value !== 'object' || value === null) {
      return { ok: false, status: 400, message: 'The request body must be a JSON object.' };
    }
    ({ decision, comment } = value as Record<string, unknown>);
  } else {
    return {
      ok: false,
      status: 415,
      message: 'Send the decision as application/x-www-form-urlencoded or application/json.',
    };
  }
  if (decision !== 'approve' && decision !== 'reject') {
    return { ok: false, status: 400, message: 'The decision must be "approve" or "reject".' };
  }
  if (comment !== undefined && comment !== null && typeof comment !== 'string') {
    return { ok: false, status: 400, message: 'The comment must be text.' };
  }
  // Control characters have no place in an audit record (they can forge log lines); newlines and tabs stay.
  const text = (comment ?? '').replace(/\r\n?/g, '\n').replace(CONTROL_CHARACTERS, '').trim();
  if (text.length > MAX_COMMENT_LENGTH) {
    return {
      ok: false,
      status: 400,
      message: `The comment is ${text.length} characters long; at most ${MAX_COMMENT_LENGTH} are kept.`,
    };
  }
  return text ? { ok: true, decision, comment: text } : { ok: true, decision };
}

/** Content types are case-insensitive and may carry parameters (`; charset=utf-8`). */
function mediaTypeOf(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
