// I/O (HTTP trigger): GET /api/releases/{id} — a release's status: each stage's state, plan summary,
// approval (with the signed approval link while it waits), outcome and timings. JSON by default; the HTML
// status page when the caller's Accept prefers text/html (a browser) or `?format=html`. An invalid bundle's
// custom status has only its first diagnostics (16 KB limit); both answers carry the full stored list.
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { appServices } from '../services/appServices';
import { findOrchestration } from '../azure/findOrchestration';
import { readBundleDiagnostics } from '../azure/ReleaseStorage';
import { approvalUrl, createApprovalToken } from '../approvals/approvalToken';
import { readStagePlan } from '../approvals/readStagePlan';
import type { DeployPlan } from '../planning/DeployPlan';
import { htmlResponse, messageResponse, prefersHtml, renderReleaseMissingPage } from '../web/responses';
import { releaseView, type ReleaseView } from '../release/releaseView';
import { renderStatusPage } from '../web/renderStatusPage';

// The same URL answers JSON or HTML, so caches must key on Accept.
const VARY = { Vary: 'Accept' };

export async function getRelease(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const html = prefersHtml(request.headers.get('accept'), request.query.get('format'));
  let status;
  try {
    status = await findOrchestration(df.getClient(context), id);
  } catch (error) {
    // Only the extension's 404 is "no release"; any other failure says so, and the page asks to retry.
    context.error(`getRelease: ${String(error)}`);
    const retry = { ...VARY, 'Retry-After': '5' };
    const message = 'The release status could not be read just now; try again in a few seconds.';
    if (html) return messageResponse(503, 'Try again', message, [], retry);
    return { status: 503, jsonBody: { error: message }, headers: retry };
  }
  // The page's links go back through the same route prefix and carry the key it was opened with.
  const listPath = new URL(request.url).pathname.replace(/\/[^/]*\/?$/, '');
  const functionKey = request.query.get('code') ?? undefined;
  if (!status?.runtimeStatus) {
    if (html) return htmlResponse(404, renderReleaseMissingPage(id, listPath, functionKey), VARY);
    return { status: 404, jsonBody: { error: `no release ${id}` }, headers: VARY };
  }
  const view = await withStoredDiagnostics(releaseViewOf(status), context);
  if (!html) return { status: 200, jsonBody: view, headers: VARY };
  const plans = await readPlans(view, context);
  const { organizationUrl } = appServices().settings.sources.azureRepos;
  return htmlResponse(
    200,
    renderStatusPage({
      release: view,
      plans,
      now: new Date(),
      listPath,
      functionKey,
      azureReposOrganizationUrl: organizationUrl,
    }),
    VARY,
  );
}

/** The release view of an orchestration status, with signed links on its waiting stages. */
export function releaseViewOf(status: df.DurableOrchestrationStatus): ReleaseView {
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
