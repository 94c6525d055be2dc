// I/O (HTTP trigger): GET /api/releases/{id} — a release's status: each stage's state, plan summary,
// approval (with the signed approval link while it waits), outcome and timings. JSON by default; the HTML
// status page when the caller's Accept prefers text/html (a browser) or `?format=html`. The route takes the
// function key (operators and CI); the page's own links never carry it: they are signed view links
// (viewRelease), so the key stays out of browser history beyond the URL the operator typed. An invalid bundle's
// custom status has only its first diagnostics (16 KB limit); both answers carry the full stored list.
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { appServices } from '../services/appServices';
import { findOrchestration } from '../azure/findOrchestration';
import { readBundleDiagnostics } from '../azure/ReleaseStorage';
import {
  approvalUrl,
  createApprovalToken,
  RELEASE_ID_RULE,
  releaseIdProblem,
  viewUrl,
} from '../approvals/approvalToken';
import { readStagePlan } from '../approvals/readStagePlan';
import type { DeployPlan } from '../planning/DeployPlan';
import { htmlResponse, messageResponse, prefersHtml, renderReleaseMissingPage } from '../web/responses';
import { releaseView, type OrchestrationState, type ReleaseView } from '../release/releaseView';
import { readReleaseRecord } from '../azure/releaseRecord';
import { renderStatusPage } from '../web/renderStatusPage';
import { releaseListViewUrl, statusViewToken } from '../approvals/releaseViewUrl';
import { offerRollback } from './rollbackLink';

// The same URL answers JSON or HTML, so caches must key on Accept.
const VARY = { Vary: 'Accept' };

export async function getRelease(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const problem = releaseIdProblem(id);
  if (problem !== undefined) {
    return {
      status: 400,
      jsonBody: { error: `id: ${problem}`, field: 'id', rule: RELEASE_ID_RULE },
      headers: VARY,
    };
  }
  return answerRelease(request, context, id, {});
}

/** How the release was reached: through a view link (viewRelease) or the function-key route. */
export interface ReleaseAccess {
  /** The view link the page was opened with, when it was (its JSON link reuses it; its JSON has no approval links). */
  viewToken?: string;
}

/** The release as JSON or as its status page (shared by getRelease and viewRelease). */
export async function answerRelease(
  request: HttpRequest,
  context: InvocationContext,
  id: string,
  access: ReleaseAccess,
): Promise<HttpResponseInit> {
  const html = prefersHtml(request.headers.get('accept'), request.query.get('format'));
  let status;
  try {
    status = await findOrchestration(df.getClient(context), id);
  } catch (error) {
    // Only the extension's 404 is "no release"; any other failure says so, and the page asks to retry.
    context.error(`${context.functionName}: ${String(error)}`);
    const retry = { ...VARY, 'Retry-After': '5' };
    const message = 'The release status could not be read just now; try again in a few seconds.';
    if (html) return messageResponse(503, 'Try again', message, [], retry);
    return { status: 503, jsonBody: { error: message }, headers: retry };
  }
  // A release whose durable history was purged (purgeHistory) answers from the record archived before the purge.
  const shown: OrchestrationState | undefined = status?.runtimeStatus
    ? status
    : await readReleaseRecord(appServices().releases, id).catch((error: unknown) => {
        context.warn(`getRelease: record of ${id} unreadable: ${String(error)}`);
        return undefined;
      });
  if (!shown) {
    // The list link carries no key (it would land in browser history): a signed list view link, or without
    // signing keys the key-guarded list route.
    const listPath = `${new URL(request.url).pathname.replace(/\/(releases|views)\/[^/]*\/?$/, '')}/releases`;
    const listLink = releaseListViewUrl(appServices().settings) ?? listPath;
    if (html) return htmlResponse(404, renderReleaseMissingPage(id, listLink), VARY);
    return { status: 404, jsonBody: { error: `no release ${id}` }, headers: VARY };
  }
  const { settings } = appServices();
  // The JSON behind a view link carries no approval link: it is what scripts and pasted bug reports read,
  // and a decision link there would travel further than the page, whose approvers' link the notification
  // already sent. The page behind a view link shows it (the same signed link, nothing new).
  const approvalLinks = html || access.viewToken === undefined;
  const view = await withStoredDiagnostics(
    approvalLinks ? releaseViewOf(shown) : releaseView(shown, () => undefined),
    context,
  );
  // Shown from its record: the durable history is gone (the list marks it the same way).
  const archived = !status?.runtimeStatus;
  if (!html) return { status: 200, jsonBody: archived ? { ...view, archived: true } : view, headers: VARY };
  const plans = await readPlans(view, context);
  const jsonToken = access.viewToken ?? statusViewToken(settings, view.releaseId);
  const listUrl = releaseListViewUrl(settings);
  const rollbacks = await offerRollback(view, context, appServices());
  return htmlResponse(
    200,
    renderStatusPage({
      release: view,
      plans,
      now: new Date(),
      links: {
        ...(listUrl !== undefined ? { list: listUrl } : {}),
        ...(jsonToken ? { json: `${viewUrl(settings.publicUrl, jsonToken)}?format=json` } : {}),
      },
      azureReposOrganizationUrl: settings.sources.azureRepos.organizationUrl,
      ...(rollbacks.length > 0 ? { rollbacks } : {}),
      ...(archived ? { archived } : {}),
    }),
    VARY,
  );
}

/** The release view of an orchestration status, with signed links on its waiting stages. */
export function releaseViewOf(status: OrchestrationState): ReleaseView {
  const { settings } = appServices();
  return releaseView(status, (releaseId, environment, expiresAt, planId) => {
    if (settings.approvalSigningKeys.length === 0) return undefined;
    const token = createApprovalToken(
      {
        releaseId,
        environment,
        expiresAt: Date.parse(expiresAt) / 1000,
        ...(planId !== undefined ? { nonce: planId } : {}),
      },
      settings.approvalSigningKeys,
    );
    return approvalUrl(settings.publicUrl, token);
  });
}

/**
 * The release with every diagnostic of its bundle, as inspectBundle stored them. When they cannot be read,
 * the first few from the status stay and the page says how many are missing.
 */
async function withStoredDiagnostics(view: ReleaseView, context: InvocationContext): Promise<ReleaseView> {
  if (!view.diagnostics || !view.bundleId) return view;
  const stored = await readBundleDiagnostics(appServices().releases, view.releaseId, view.bundleId).catch(
    (error: unknown) => {
      context.warn(`getRelease: diagnostics of ${view.releaseId} unreadable: ${String(error)}`);
      return undefined;
    },
  );
  if (!stored) return view;
  return { ...view, diagnostics: { count: stored.count, items: stored.diagnostics } };
}

/**
 * The stored plan of every planned stage, for the names on the page. The counts in the status are enough
 * to read the page, so a plan that cannot be read just leaves its stage with counts only.
 */
async function readPlans(
  view: ReleaseView,
  context: InvocationContext,
): Promise<Record<string, DeployPlan | undefined>> {
  // A condensed status may have dropped the counts of stages that were planned all the same.
  const planned = (view.stages ?? []).filter(
    (s) => s.plan !== undefined || (view.condensed && !['pending', 'planning', 'skipped'].includes(s.state)),
  );
  if (planned.length === 0) return {};
  const service = appServices().blobService;
  const entries = await Promise.all(
    planned.map(async (stage) => {
      const plan = await readStagePlan(service, view.releaseId, stage.environment).catch((error: unknown) => {
        context.warn(`getRelease: plan of ${stage.environment} unreadable: ${String(error)}`);
        return undefined;
      });
      return [stage.environment, plan] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** Options for `app.http('getRelease', getReleaseOptions)`. The function key guards it (operators and CI). */
export const getReleaseOptions: HttpFunctionOptions = {
  route: 'releases/{id}',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: getRelease,
};
