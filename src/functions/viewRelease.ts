// I/O (HTTP trigger): GET /api/views/{token} — one release's status page (or JSON, as getRelease answers)
// for whoever holds a signed, expiring view link (approvalToken.ts, createViewToken), or the release list
// for a list view link (createListViewToken). Browsers reach these pages this way, so that the function key
// never sits in a link, and so in browser history. The page shows a waiting stage's approval link: the
// same signed link the notification sent to the environment's channel, and a decision still checks the
// allow-list and takes one decision; the JSON leaves it out (getRelease.ts, answerRelease).
//
// Registration (src/index.ts): app.http('viewRelease', viewReleaseOptions)
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { describeTokenFailure, verifyListViewToken, verifyViewToken } from '../approvals/approvalToken';
import { messageResponse, prefersHtml } from '../web/responses';
import { answerRelease } from './getRelease';
import { answerReleaseList } from './listReleases';
import { openAppServices } from './openAppServices';

export async function viewRelease(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const opened = openAppServices(context);
  if (!opened.ok) return opened.response;
  const s = opened.services;
  const token = request.params.token ?? '';
  const keys = s.settings.approvalSigningKeys;
  const now = new Date();
  const html = prefersHtml(request.headers.get('accept'), request.query.get('format'));
  const verified = verifyViewToken(token, keys, now);
  if (verified.ok) {
    return answerRelease(request, context, verified.claims.releaseId, { viewToken: token });
  }
  // One route for both kinds of view link: each kind has its own MAC context, so at most one verifies.
  const list = verifyListViewToken(token, keys, now);
  if (list.ok) return answerReleaseList(request, context, { html, approvalLinks: false });
  // A link with a valid list signature failed as a list link (expired, say); any other as a release link.
  const failure = describeTokenFailure(
    verified.reason === 'badSignature' ? list.reason : verified.reason,
    'view',
  );
  if (html) return messageResponse(failure.status, failure.title, failure.message);
  return {
    status: failure.status,
    jsonBody: {
      error: failure.message,
      field: 'token',
      rule: 'a status page link this app signed, not expired',
    },
  };
}

/** Options for `app.http('viewRelease', viewReleaseOptions)`. Anonymous: the signed token is the credential. */
export const viewReleaseOptions: HttpFunctionOptions = {
  route: 'views/{token}',
  methods: ['GET'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: viewRelease,
};
