// I/O (HTTP trigger): GET /api/releases — recent releases, newest first (?top=20). JSON by default; the
// HTML list when the caller's Accept prefers text/html (a browser) or `?format=html`; its links to each
// release are signed view links (viewRelease), never links with the function key.
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ORCHESTRATIONS } from '../activities/contracts';
import { appServices } from '../services/appServices';
import { htmlResponse, prefersHtml } from '../web/responses';
import { renderReleaseListPage } from '../web/renderReleaseListPage';
import { viewUrl } from '../approvals/approvalToken';
import { releaseViewOf, statusViewToken } from './getRelease';

export async function listReleases(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const top = Math.min(Math.max(Number(request.query.get('top') ?? '20') || 20, 1), 100);
  const since = new Date(Date.now() - 90 * 24 * 3_600_000);
  const all = await df.getClient(context).getStatusBy({ createdTimeFrom: since });
  const releases = all
    .filter((s) => s.name === ORCHESTRATIONS.deployRelease)
    .sort((a, b) => new Date(b.createdTime).getTime() - new Date(a.createdTime).getTime())
    .slice(0, top)
    .map(releaseViewOf);
  // The same URL answers JSON or HTML, so caches must key on Accept.
  const vary = { Vary: 'Accept' };
  if (!prefersHtml(request.headers.get('accept'), request.query.get('format'))) {
    return { status: 200, jsonBody: { releases }, headers: vary };
  }
  const { settings } = appServices();
  // Each release links to its status page with a signed view link, never with the key this page was opened
  // with (`?code=` in a link lands in browser history and in every page's history after it).
  const html = renderReleaseListPage({
    releases,
    now: new Date(),
    releaseUrl: (releaseId) => {
      const token = statusViewToken(releaseId);
      return token === undefined ? undefined : viewUrl(settings.publicUrl, token);
    },
    azureReposOrganizationUrl: settings.sources.azureRepos.organizationUrl,
  });
  return htmlResponse(200, html, vary);
}

/** Options for `app.http('listReleases', listReleasesOptions)`. The function key guards it (operators and CI). */
export const listReleasesOptions: HttpFunctionOptions = {
  route: 'releases',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: listReleases,
};
