// I/O: POST /api/approvals/{token}: records one decision and raises `approval:<env>` on the release.
// Every check runs before anything is written, so a forged, expired or refused request raises nothing.
// The request that creates the decision record raises its event and then notes on the record that it was
// delivered; a later request for the same wait, while the stage still waits and the record has no such note,
// delivers that recorded decision (never its own): the first request was cut off between recording and
// raising (a worker restart), and the release must not wait for a decision it will never hear. A replay of
// a delivered decision raises nothing. The gate counts a decision once per approver and wait (waitForApproval).
//
// Registration (src/index.ts): app.http('approvalDecision', approvalDecision)
//
// The answer is a 200 page that says what was recorded, not a 303 back to the GET page: after a decision
// the GET page can only say "no longer waiting", which hides whether *this* click counted.
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { approvalEventName, type ApprovalEvent, type ApprovalWait } from '../release/ApprovalEvent';
import type { ApprovalDecisionRecord } from '../approvals/ApprovalDecisionRecord';
import { approvalWaitId, type ApprovalClaims } from '../approvals/approvalToken';
import type { DecisionStore, RecordDecisionResult } from '../approvals/DecisionStore';
import { MAX_DECISION_BODY_BYTES, parseDecisionRequest } from '../approvals/parseDecisionRequest';
import { resolveApprover } from '../approvals/resolveApprover';
import { resolveDecider } from '../approvals/resolveDecider';
import type { StageStatus } from '../release/ReleaseStatus';
import { displayName } from '../config/loadSettings';
import { formatUtc } from '../web/format';
import { messageResponse } from '../web/responses';
import { alreadyDecidedResponse } from './alreadyDecidedResponse';
import { openApprovalLink } from './openApprovalLink';
import { readWaitingStage } from './readWaitingStage';
import { releaseViewUrl } from '../approvals/releaseViewUrl';
import { decisionAuditEvent, decisionPrincipal } from '../approvals/decisionAuditEvent';
import { appendAudit } from '../services/appendAudit';

export async function approvalDecision(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const now = new Date();
  // Reject early: the link, then where the form came from, then the body's type and size, before parsing.
  const opened = openApprovalLink(request, context, now);
  if (!opened.ok) return opened.response;
  const { services: s, claims, environment } = opened;
  if (isCrossSite(request, s.settings.publicUrl)) {
    return messageResponse(403, 'Refused', 'Decisions are accepted only from the approval page itself.');
  }
  const body = await readLimitedText(request, MAX_DECISION_BODY_BYTES);
  if (body === undefined) {
    return messageResponse(413, 'Too large', `The request body exceeds ${MAX_DECISION_BODY_BYTES} bytes.`);
  }
  const parsed = parseDecisionRequest(request.headers.get('content-type'), body);
  if (!parsed.ok) return messageResponse(parsed.status, 'Not accepted', parsed.message);

  // Who may decide does not depend on the release: refuse a stranger before reading it.
  const allowed = resolveApprover(request.headers, {
    environment: claims.environment,
    approvers: environment.approval.approvers,
    groups: environment.approval.policy.groups,
    easyAuthEnabled: s.easyAuthEnabled,
  });
  if (!allowed.ok) return messageResponse(403, 'Not allowed', allowed.message);

  const waiting = await readWaitingStage(context, claims);
  if (!waiting.ok) return waiting.response;
  const { client } = waiting;
  // The release's policy: no self-approval, and with a quorum one counted vote per signed-in approver.
  const decider = resolveDecider(request.headers, s, environment, waiting);
  const who = decider.who;
  // A refusal records nothing and raises nothing.
  if (!who.ok) return messageResponse(403, 'Not allowed', who.message);
  const { voter } = decider;

  const event: ApprovalEvent = {
    decision: parsed.decision,
    approver: who.approver,
    ...(parsed.comment === undefined ? {} : { comment: parsed.comment }),
    decidedAt: now.toISOString(),
    ...(who.objectId === undefined ? {} : { approverObjectId: who.objectId }),
    wait: waitOf(claims),
  };
  const record: ApprovalDecisionRecord = {
    releaseId: claims.releaseId,
    environment: claims.environment,
    waitId: approvalWaitId(claims),
    ...event,
    ...(who.displayName === undefined ? {} : { approverDisplayName: who.displayName }),
    ...(who.via === undefined ? {} : { via: who.via }),
    principal: decisionPrincipal(who, request.headers, s.easyAuthEnabled),
  };
  let stored: RecordDecisionResult;
  try {
    stored = await s.decisions.record(record, voter);
  } catch (error) {
    context.error(`approvalDecision: recording the decision failed: ${String(error)}`);
    return tryAgain('The decision could not be recorded just now; nothing was decided.');
  }
  // Every page from here on links onward to the release.
  const statusUrl = releaseViewUrl(s.settings, claims);
  if (!stored.recorded) {
    await deliverAgain(context, client, s.decisions, claims, stored, waiting.stage, voter);
    return alreadyDecidedResponse(claims, stored.alreadyDecided, statusUrl, voter !== undefined);
  }
  try {
    await client.raiseEvent(claims.releaseId, approvalEventName(claims.environment), event);
  } catch (error) {
    // Without the event the release would wait until it times out; take the record back so that the
    // approver can simply click again.
    context.error(
      `approvalDecision: raising ${approvalEventName(claims.environment)} failed: ${String(error)}`,
    );
    await s.decisions
      .withdraw(claims.releaseId, claims.environment, stored.etag, voter)
      .catch((withdrawError: unknown) => {
        // The record stays: the page says "already decided" while the release waits for its timeout.
        context.error(
          `approvalDecision: withdrawing the undelivered decision failed: ${String(withdrawError)}`,
        );
      });
    return tryAgain('The decision could not be delivered to the release; nothing was recorded.');
  }
  // Delivered: a replay of this request, or a second click, sends nothing more.
  await s.decisions
    .markDelivered(record, stored.etag, voter)
    .catch((error: unknown) =>
      context.warn(
        `approvalDecision: noting the delivery failed (a replay sends it again): ${String(error)}`,
      ),
    );
  // The audit line: who decided what, for which release and environment (never the link or the comment).
  context.log(
    `approvalDecision: ${event.decision} ${claims.environment} of release ${claims.releaseId} by ${event.approver}`,
  );
  // The decision counted: its audit record, with the claims that let the approver decide (never a token). The
  // decision stands if the append fails; the log says so.
  await appendAudit(decisionAuditEvent(record, record.principal ?? { authenticated: false })).catch(
    (error: unknown) => context.error(`approvalDecision: the audit record was not written: ${String(error)}`),
  );
  const env = displayName(claims.environment);
  const details: Array<[string, string]> = [
    ['Release', claims.releaseId],
    ['By', event.approver],
    ['At', formatUtc(event.decidedAt)],
  ];
  if (event.comment) details.push(['Comment', event.comment]);
  const onward = { href: statusUrl, label: 'Release status' };
  return event.decision === 'approve'
    ? messageResponse(
        200,
        `Approved for ${env}`,
        quorumProgress(decider.quorum, waiting.stage, event.approver) ??
          `Release ${claims.releaseId} continues to ${env}.`,
        details,
        {},
        onward,
      )
    : messageResponse(
        200,
        `Rejected for ${env}`,
        `Release ${claims.releaseId} stops before ${env}.`,
        details,
        {},
        onward,
      );
}

/**
 * With a quorum: how many approvals this one makes, by the stage's count when it was read (another approver
 * may have clicked since; the status page shows the live count).
 */
function quorumProgress(quorum: number, stage: StageStatus, approver: string): string | undefined {
  if (quorum <= 1) return undefined;
  const before = (stage.approval?.approvals ?? []).filter(
    (a) => a.approver.toLowerCase() !== approver.toLowerCase(),
  ).length;
  const count = Math.min(before + 1, quorum);
  const env = displayName(stage.environment);
  return count >= quorum
    ? `Yours is approval ${count} of ${quorum}: the release continues to ${env}.`
    : `Yours is approval ${count} of ${quorum}: ${env} deploys once ${quorum - count} more approver(s) agree.`;
}

/** The wait a link answers, as its decision event carries it. */
function waitOf(claims: ApprovalClaims): ApprovalWait {
  return { expiresAt: claims.expiresAt, ...(claims.nonce === undefined ? {} : { planId: claims.nonce }) };
}

/**
 * Delivers a recorded decision of this wait again while the stage still waits without having counted it
 * (the stage was read before the record). Its first request recorded it and may have ended before raising
 * the event; raising it twice is harmless (the gate counts each approver once per wait, and a copy arriving
 * after the wait ended names a wait no longer asked about). Its audit record goes with it (same id: the
 * trail's readers drop the copy). Best effort: the answer is "already decided" either way.
 */
async function deliverAgain(
  context: InvocationContext,
  client: df.DurableClient,
  decisions: DecisionStore,
  claims: ApprovalClaims,
  stored: { alreadyDecided: ApprovalDecisionRecord; etag: string },
  stage: StageStatus,
  voter: string | undefined,
): Promise<void> {
  const recorded = stored.alreadyDecided;
  const counted = (stage.approval?.approvals ?? []).some(
    (a) => a.approver.toLowerCase() === recorded.approver.toLowerCase(),
  );
  if (recorded.delivered || stage.state !== 'waiting' || counted) return;
  const event: ApprovalEvent = {
    decision: recorded.decision,
    approver: recorded.approver,
    ...(recorded.comment === undefined ? {} : { comment: recorded.comment }),
    decidedAt: recorded.decidedAt,
    ...(recorded.approverObjectId === undefined ? {} : { approverObjectId: recorded.approverObjectId }),
    wait: waitOf(claims),
  };
  try {
    await client.raiseEvent(claims.releaseId, approvalEventName(claims.environment), event);
  } catch (error) {
    context.error(`approvalDecision: delivering the recorded decision again failed: ${String(error)}`);
    return;
  }
  await decisions
    .markDelivered(recorded, stored.etag, voter)
    .catch((error: unknown) =>
      context.warn(`approvalDecision: noting the delivery failed: ${String(error)}`),
    );
  context.log(
    `approvalDecision: delivered the recorded ${recorded.decision} of ${claims.environment} ` +
      `of release ${claims.releaseId} by ${recorded.approver} again`,
  );
  await appendAudit(decisionAuditEvent(recorded, recorded.principal ?? { authenticated: false })).catch(
    (error: unknown) => context.error(`approvalDecision: the audit record was not written: ${String(error)}`),
  );
}

function tryAgain(message: string): HttpResponseInit {
  return messageResponse(503, 'Try again', message, [], { 'Retry-After': '5' });
}

/**
 * A page elsewhere must not be able to make a signed-in approver's browser post a decision (CSRF):
 * with an allow-list, the browser's Easy Auth cookie is what makes the decision count. Browsers send
 * Sec-Fetch-Site on every request, and Origin on every POST: only our own origin (the request's, or the
 * configured public URL) is accepted. `Origin: null` is refused: browsers send it from sandboxed frames,
 * `data:` documents and pages served with `Referrer-Policy: no-referrer`, so a hostile page can choose it
 * (Fetch standard, "serializing a request origin"); the approval page is therefore served with
 * `Referrer-Policy: same-origin`, under which its own form posts carry its origin. `same-site` is refused too:
 * on a custom domain, a sibling subdomain is same-site. Clients without either header (scripts, curl) are not
 * browsers and carry no ambient credentials.
 * https://fetch.spec.whatwg.org/#serializing-a-request-origin
 */
export function isCrossSite(request: HttpRequest, publicUrl: string): boolean {
  const site = request.headers.get('sec-fetch-site')?.toLowerCase();
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.get('origin');
  if (origin === null) return false;
  return origin !== new URL(request.url).origin && origin !== new URL(publicUrl).origin;
}

/** The body as text, or undefined when it is larger than `maxBytes` (read no further than that). */
export async function readLimitedText(request: HttpRequest, maxBytes: number): Promise<string | undefined> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return undefined;
  if (!request.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Options for `app.http('approvalDecision', approvalDecisionOptions)`. Anonymous: the signed token is the key. */
export const approvalDecisionOptions: HttpFunctionOptions = {
  route: 'approvals/{token}',
  methods: ['POST'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: approvalDecision,
};
