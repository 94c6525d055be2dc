// I/O (HTTP trigger): POST /api/webhooks/github — GitHub `push` deliveries start a release of the pushed
// commit on the release branch. It only verifies, filters and starts: GitHub gives up after 10 s, so the
// archive is fetched later by the stageSource activity. Requests are refused as early as possible: headers
// and content type before the body is read, the body's size while it is read, the HMAC before it is parsed.
// A redelivered event finds its release (the id is derived from repository + commit) and starts nothing.
//
// Registration (src/index.ts): app.http('githubWebhook', githubWebhookOptions)
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { appServices } from '../services/appServices';
import type { Settings } from '../config/Settings';
import { releaseInputFor } from '../release/releaseInputFor';
import { isJsonContentType } from '../sources/isJsonContentType';
import { parseGitHubPush } from '../sources/parseGitHubPush';
import { readRawBody } from '../sources/readRawBody';
import { verifyGitHubSignature } from '../sources/verifyGitHubSignature';
import { beginRelease } from './beginRelease';

/** GitHub caps payloads at 25 MB; a push payload (at most 20 commits listed) is far below 1 MB. */
export const GITHUB_WEBHOOK_MAX_BYTES = 1024 * 1024;
const REQUIRED_HEADERS = ['x-github-event', 'x-hub-signature-256', 'x-github-delivery'] as const;

export async function githubWebhook(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const missing = REQUIRED_HEADERS.filter((name) => !request.headers.get(name));
  if (missing.length > 0) {
    return problem(
      400,
      `missing header(s) ${missing.join(', ')}: this route takes GitHub webhook deliveries signed with a secret`,
    );
  }
  if (!isJsonContentType(request.headers.get('content-type'))) {
    return problem(
      415,
      `content type ${request.headers.get('content-type') ?? '(none)'} is not application/json: set the ` +
        "webhook's Content type to application/json (repository Settings → Webhooks → Edit)",
    );
  }
  const settings = readSettings(context);
  if (!settings) return problem(500, 'bricklane is not configured correctly; its log says what to fix');
  const secret = settings.sources.github.webhookSecret;
  if (!secret) {
    return problem(
      503,
      'the GitHub webhook secret is not configured: set the app setting BRICKLANE_GITHUB_WEBHOOK_SECRET to ' +
        "the webhook's secret (in Azure, a Key Vault reference)",
    );
  }
  const body = await readRawBody(request, GITHUB_WEBHOOK_MAX_BYTES);
  if (!body.ok) return problem(413, `payload over ${GITHUB_WEBHOOK_MAX_BYTES} bytes`);
  // Logged before the signature is known to be good: only a GUID's characters, never a whole header.
  const delivery = (request.headers.get('x-github-delivery') ?? '').replace(/[^\w-]/g, '').slice(0, 64);
  if (!(await verifyGitHubSignature(secret, body.bytes, request.headers.get('x-hub-signature-256') ?? ''))) {
    context.warn(`githubWebhook: delivery ${delivery}: signature mismatch`);
    return problem(
      401,
      "X-Hub-Signature-256 does not match: the webhook's secret differs from BRICKLANE_GITHUB_WEBHOOK_SECRET, " +
        'or the body was altered on the way',
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body.bytes.toString('utf8'));
  } catch {
    return problem(400, 'the body is not JSON');
  }
  const event = request.headers.get('x-github-event') ?? '';
  if (event === 'ping') {
    const zen = (payload as { zen?: unknown } | null)?.zen;
    return { status: 200, jsonBody: { ok: true, zen: typeof zen === 'string' ? zen : '' } };
  }
  if (event !== 'push') {
    return ignored(
      `event ${event} is not handled: only push events start releases (select "Just the push event")`,
    );
  }
  const decision = parseGitHubPush(payload, {
    branch: settings.sources.branch,
    repositories: settings.sources.github.repositories,
  });
  if (decision.action === 'reject') return problem(400, decision.problem);
  if (decision.action === 'foreign') {
    context.warn(`githubWebhook: delivery ${delivery} refused: ${decision.problem}`);
    return problem(403, decision.problem);
  }
  if (decision.action === 'ignore') {
    context.log(`githubWebhook: delivery ${delivery} ignored: ${decision.reason}`);
    return ignored(decision.reason);
  }
  const input = releaseInputFor(settings, {
    fetch: { kind: 'github', repository: decision.repository, commit: decision.commit },
    source: {
      kind: 'github',
      commit: decision.commit,
      ref: decision.ref,
      repository: decision.repository,
      requestedBy: decision.requestedBy,
    },
  });
  let began;
  try {
    began = await beginRelease(df.getClient(context), input, settings.publicUrl);
  } catch (error) {
    context.error(
      `githubWebhook: delivery ${delivery}: starting ${input.releaseId} failed: ${String(error)}`,
    );
    return problem(
      503,
      "the release could not be started just now; redeliver the event from the webhook's Recent Deliveries",
    );
  }
  context.log(
    `githubWebhook: delivery ${delivery}: ${decision.repository}@${decision.commit} -> release ` +
      `${began.releaseId} (${began.started ? 'started' : `already ${began.runtimeStatus ?? 'known'}`})`,
  );
  return {
    status: began.started ? 202 : 200,
    headers: { location: began.statusUrl },
    jsonBody: { releaseId: began.releaseId, started: began.started, statusUrl: began.statusUrl },
  };
}

/** Options for `app.http('githubWebhook', githubWebhookOptions)`. Anonymous: the HMAC signature is the credential. */
export const githubWebhookOptions: HttpFunctionOptions = {
  route: 'webhooks/github',
  methods: ['POST'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: githubWebhook,
};

/** Settings are read once per process; a failure is logged (it names the setting) and answered with 500. */
function readSettings(context: InvocationContext): Settings | undefined {
  try {
    return appServices().settings;
  } catch (error) {
    context.error(`githubWebhook: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

function ignored(reason: string): HttpResponseInit {
  return { status: 202, jsonBody: { ignored: true, reason } };
}

function problem(status: number, detail: string): HttpResponseInit {
  return { status, jsonBody: { error: detail } };
}
