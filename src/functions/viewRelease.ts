// I/O (HTTP trigger): GET /api/views/{token} — one release's status page (or JSON, as getRelease answers)
// for whoever holds a signed, expiring view link (approvalToken.ts, createViewToken). Browsers reach the
// status pages this way, so that the function key never sits in a link, and so in browser history.
// The page withholds approval links: a view link is handed to people who need not be approvers.
//
// Registration (src/index.ts): app.http('viewRelease', viewReleaseOptions)
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { describeTokenFailure, verifyViewToken } from '../approvals/approvalToken';
import { appServices, type AppServices } from '../services/appServices';
import { messageResponse, prefersHtml } from '../web/responses';
import { answerRelease } from './getRelease';

export async function viewRelease(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  let s: AppServices;
  try {
    s = appServices();
  } catch (error) {
    context.error(`viewRelease: ${error instanceof Error ? error.message : String(error)}`);
    return messageResponse(
      500,
      'Not configured',
      'bricklane is not configured correctly; its log says what to fix.',
    );
  }
  const token = request.params.token ?? '';
  const verified = verifyViewToken(token, s.settings.approvalSigningKeys, new Date());
  if (!verified.ok) {
    const failure = describeTokenFailure(verified.reason, 'view');
    if (prefersHtml(request.headers.get('accept'), request.query.get('format'))) {
      return messageResponse(failure.status, failure.title, failure.message);
    }
    return {
      status: failure.status,
      jsonBody: {
        error: failure.message,
        field: 'token',
        rule: 'a status page link this app signed, not expired',
      },
    };
  }
  return answerRelease(request, context, verified.claims.releaseId, {
    approvalLinks: false,
    viewToken: token,
  });
}

/** Options for `app.http('viewRelease', viewReleaseOptions)`. Anonymous: the signed token is the credential. */
export const viewReleaseOptions: HttpFunctionOptions = {
  route: 'views/{token}',
  methods: ['GET'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: viewRelease,
};
