// I/O: GET /api/approvals/{token}: the approval page. It only reads. Mail scanners, link previews in
// chat apps and browser prefetch all open links, so a GET must never decide.
//
// Registration (src/index.ts): app.http('approvalPage', approvalPage)
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { approvalWaitId } from '../approvals/approvalToken';
import { readStagePlan } from '../approvals/readStagePlan';
import { readTargetPlans } from '../approvals/readTargetPlans';
import { ringOf } from '../config/readTargets';
import { readStageCodeDiff } from '../approvals/readStageCodeDiff';
import { resolveDecider } from '../approvals/resolveDecider';
import { approvalPolicyState } from '../web/renderApprovalPolicy';
import { htmlResponse } from '../web/responses';
import { alreadyDecidedResponse } from './alreadyDecidedResponse';
import { openApprovalLink } from './openApprovalLink';
import { readWaitingStage } from './readWaitingStage';
import { releaseViewUrl } from '../approvals/releaseViewUrl';
import { renderApprovalPage } from '../web/renderApprovalPage';

export async function approvalPage(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const now = new Date();
  const opened = openApprovalLink(request, context, now);
  if (!opened.ok) return opened.response;
  const { services: s, claims, environment } = opened;
  const waiting = await readWaitingStage(context, claims);
  if (!waiting.ok) return waiting.response;
  const decider = resolveDecider(request.headers, s, environment, waiting);
  // The decision may be on its way while the orchestration has not updated its status yet. With a quorum,
  // only the viewer's own vote closes the page for them.
  const decided = await (
    decider.quorum > 1 && decider.voter === undefined
      ? Promise.resolve(undefined)
      : s.decisions.read(claims.releaseId, claims.environment, decider.voter)
  ).catch((error: unknown) => {
    // Only the POST decides, and it checks the store again; showing the form here is harmless.
    context.warn(`approvalPage: decision of ${claims.environment} unreadable: ${String(error)}`);
    return undefined;
  });
  if (decided && decided.waitId === approvalWaitId(claims))
    return alreadyDecidedResponse(
      claims,
      decided,
      releaseViewUrl(s.settings, claims),
      decider.voter !== undefined,
    );
  const plan = await readStagePlan(s.blobService, claims.releaseId, claims.environment).catch(
    (error: unknown) => {
      // The counts in the release status are enough to judge; a storage hiccup must not hide the page.
      context.warn(`approvalPage: plan of ${claims.environment} unreadable: ${String(error)}`);
      return undefined;
    },
  );
  // A ring's targets that deployed in an earlier round of this release (a workspace moved after the approval, and
  // the rest were planned and asked again): not part of this decision.
  const deployed = new Set(
    (waiting.stage.targets ?? []).filter((t) => t.state === 'succeeded').map((t) => t.target),
  );
  // A ring's code diff is its first target's still to deploy (planned under its key; the canary first): the
  // change the approval lets through.
  const firstPending = ringOf(environment).find((t) => !deployed.has(t.name)) ?? ringOf(environment)[0];
  const codeDiff = await readStageCodeDiff(
    s.blobService,
    claims.releaseId,
    firstPending?.name ?? claims.environment,
  ).catch((error: unknown) => {
    context.warn(`approvalPage: code diff of ${claims.environment} unreadable: ${String(error)}`);
    return undefined;
  });
  const path = new URL(request.url).pathname;
  const stages = waiting.release.stages;
  const previousStage = stages[stages.findIndex((st) => st.environment === claims.environment) - 1];
  // A ring (BRICKLANE_<ENV>_TARGETS): one approval covers every target, and the page shows each target's plan.
  const targetPlans = (await readTargetPlans(s.blobService, claims.releaseId, environment)).map((t) =>
    deployed.has(t.target) ? { ...t, deployed: true } : t,
  );
  const html = renderApprovalPage({
    ...(targetPlans.length > 0 ? { targetPlans } : {}),
    release: waiting.release,
    stage: waiting.stage,
    plan,
    linkExpiresAt: new Date(claims.expiresAt * 1000),
    now,
    formAction: path,
    // Named fields only: the environment's settings also hold its token, which no page carries.
    target: {
      databricksAuth: environment.databricksAuth,
      subscriptionId: environment.subscriptionId,
      resourceGroup: environment.resourceGroup,
      workspaceName: environment.workspaceName,
      keyVaultName: environment.keyVaultName,
      ...(environment.workspaceUrl === undefined ? {} : { workspaceUrl: environment.workspaceUrl }),
    },
    approvers: environment.approval.approvers,
    ...(previousStage ? { previousStage } : {}),
    ...(codeDiff ? { codeDiff } : {}),
    viewer: decider.who,
    policy: approvalPolicyState(decider, waiting.stage, waiting.source, environment.approval.policy.groups),
    // Entra ID is the sign-in provider; Easy Auth brings the user back to this page afterwards.
    signInUrl: `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(path)}`,
    statusUrl: releaseViewUrl(s.settings, claims),
  });
  // Its form posts back here, and the POST refuses `Origin: null`, which browsers send for a page served
  // with no-referrer (approvalDecision, isCrossSite). same-origin still sends no Referer to anyone else.
  return htmlResponse(200, html, { 'Referrer-Policy': 'same-origin' });
}

/** Options for `app.http('approvalPage', approvalPageOptions)`. Anonymous: the signed token is the credential. */
export const approvalPageOptions: HttpFunctionOptions = {
  route: 'approvals/{token}',
  methods: ['GET'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: approvalPage,
};
