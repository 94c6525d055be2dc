// I/O: GET /api/approvals/{token}: the approval page. It only reads. Mail scanners, link previews in
// chat apps and browser prefetch all open links, so a GET must never decide (DESIGN.md, "Who uses it" 3).
//
// Registration (src/index.ts): app.http('approvalPage', approvalPage)
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { approvalWaitId } from '../approvals/approvalWaitId';
import { checkStageWaiting, type OrchestrationSnapshot } from '../approvals/checkStageWaiting';
import { readOrchestration } from '../approvals/readOrchestration';
import { readStagePlan } from '../approvals/readStagePlan';
import { resolveApprover } from '../approvals/resolveApprover';
import { htmlResponse } from '../web/htmlResponse';
import { messageResponse } from '../web/messageResponse';
import { openApprovalLink } from './openApprovalLink';
import { renderApprovalPage } from '../web/renderApprovalPage';

export async function approvalPageHandler(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const now = new Date();
  const opened = openApprovalLink(request, context, now);
  if (!opened.ok) return opened.response;
  const { services: s, claims } = opened;
  const environment = s.settings.environments.find((e) => e.name === claims.environment);
  if (!environment) {
    return messageResponse(409, 'Not waiting', `Environment ${claims.environment} is no longer configured.`);
  }
  let snapshot: OrchestrationSnapshot | undefined;
  try {
    snapshot = await readOrchestration(df.getClient(context), claims.releaseId);
  } catch (error) {
    context.error(`approvalPage: status of release ${claims.releaseId} unreadable: ${String(error)}`);
    return messageResponse(503, 'Try again', 'The release status could not be read just now.', [], {
      'Retry-After': '5',
    });
  }
  const check = checkStageWaiting(snapshot, claims);
  if (!check.ok) return messageResponse(check.status, check.title, check.message, check.details);
  // The decision may be on its way while the orchestration has not updated its status yet.
  const decided = await s.decisions.read(claims.releaseId, claims.environment).catch((error: unknown) => {
    // Only the POST decides, and it checks the store again; showing the form here is harmless.
    context.warn(`approvalPage: decision of ${claims.environment} unreadable: ${String(error)}`);
    return undefined;
  });
  if (decided && decided.waitId === approvalWaitId(claims)) {
    return messageResponse(
      409,
      'Already decided',
      `${claims.environment} of release ${claims.releaseId} is decided.`,
      [
        ['Decision', decided.decision],
        ['By', decided.approver],
        ['At', decided.decidedAt],
      ],
    );
  }
  const plan = await readStagePlan(s.blobService, claims.releaseId, claims.environment).catch(
    (error: unknown) => {
      // The counts in the release status are enough to judge; a storage hiccup must not hide the page.
      context.warn(`approvalPage: plan of ${claims.environment} unreadable: ${String(error)}`);
      return undefined;
    },
  );
  const path = new URL(request.url).pathname;
  const html = renderApprovalPage({
    release: check.release,
    stage: check.stage,
    plan,
    linkExpiresAt: new Date(claims.expiresAt * 1000),
    now,
    formAction: path,
    viewer: resolveApprover(request.headers, {
      environment: claims.environment,
      approvers: environment.approval.approvers,
      easyAuthEnabled: s.easyAuthEnabled,
    }),
    // Entra ID is the sign-in provider; Easy Auth brings the user back to this page afterwards.
    signInUrl: `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(path)}`,
  });
  return htmlResponse(200, html);
}

/** Options for `app.http('approvalPage', approvalPage)`. Anonymous: the signed token is the credential. */
export const approvalPage: HttpFunctionOptions = {
  route: 'approvals/{token}',
  methods: ['GET'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: approvalPageHandler,
};
