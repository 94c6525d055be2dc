// I/O (HTTP trigger): POST /api/webhooks/azure-devops — an Azure Repos "Code pushed" (git.push) service hook
// starts a release of the commit pushed to the release branch. Service hooks authenticate with Basic
// authentication (the hook's user name and password), checked before the body is read. The payload names
// the repository, but the organization sources are fetched from is always the configured one; a payload
// from another organization is refused (parseAzureReposPush). Fetching happens in the stageSource activity.
//
// Registration (src/index.ts): app.http('azureDevOpsWebhook', azureDevOpsWebhookOptions)
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { appServices } from '../services/appServices';
import type { Settings } from '../config/Settings';
import { releaseInputFor } from '../release/releaseInputFor';
import { checkBasicAuth } from '../sources/checkBasicAuth';
import { isJsonContentType } from '../sources/isJsonContentType';
import { parseAzureReposPush } from '../sources/parseAzureReposPush';
import { readRawBody } from '../sources/readRawBody';
import { beginRelease } from './beginRelease';

/** A git.push payload lists at most a few commits; 1 MB leaves ample room. */
export const AZURE_DEVOPS_WEBHOOK_MAX_BYTES = 1024 * 1024;

export async function azureDevOpsWebhook(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const settings = readSettings(context);
  if (!settings) return problem(500, 'bricklane is not configured correctly; its log says what to fix');
  const { hookUsername, hookPassword, organizationUrl } = settings.sources.azureRepos;
  if (!hookUsername || !hookPassword || !organizationUrl) {
    return problem(
      503,
      'the Azure Repos service hook is not configured: set BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME, ' +
        "BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD (the same as in the service hook's Basic authentication) and " +
        'BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL (https://dev.azure.com/<organization>)',
    );
  }
  if (
    !checkBasicAuth(request.headers.get('authorization'), { username: hookUsername, password: hookPassword })
  ) {
    return {
      ...problem(
        401,
        "Basic authentication failed: set the service hook's user name and password to the values of " +
          'BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME and BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD',
      ),
      headers: { 'WWW-Authenticate': 'Basic realm="bricklane", charset="UTF-8"' },
    };
  }
  if (!isJsonContentType(request.headers.get('content-type'))) {
    return problem(
      415,
      `content type ${request.headers.get('content-type') ?? '(none)'} is not application/json: use the ` +
        'Web Hooks service hook, which posts JSON',
    );
  }
  const body = await readRawBody(request, AZURE_DEVOPS_WEBHOOK_MAX_BYTES);
  if (!body.ok) return problem(413, `payload over ${AZURE_DEVOPS_WEBHOOK_MAX_BYTES} bytes`);
  let payload: unknown;
  try {
    payload = JSON.parse(body.bytes.toString('utf8'));
  } catch {
    return problem(400, 'the body is not JSON');
  }
  const decision = parseAzureReposPush(payload, { branch: settings.sources.branch, organizationUrl });
  if (decision.action === 'reject') return problem(400, decision.problem);
  if (decision.action === 'foreign') {
    context.warn(`azureDevOpsWebhook: refused: ${decision.problem}`);
    return problem(403, decision.problem);
  }
  if (decision.action === 'ignore') {
    context.log(`azureDevOpsWebhook: ignored: ${decision.reason}`);
    return { status: 202, jsonBody: { ignored: true, reason: decision.reason } };
  }
  const repository = `${decision.project}/${decision.repositoryName}`;
  const input = releaseInputFor(settings, {
    fetch: {
      kind: 'azureRepos',
      organizationUrl,
      project: decision.projectId ?? decision.project,
      repositoryId: decision.repositoryId,
      commit: decision.commit,
    },
    source: {
      kind: 'azureRepos',
      commit: decision.commit,
      ref: decision.ref,
      repository,
      requestedBy: decision.requestedBy,
    },
  });
  let began;
  try {
    began = await beginRelease(df.getClient(context), input, settings.publicUrl);
  } catch (error) {
    context.error(`azureDevOpsWebhook: starting ${input.releaseId} failed: ${String(error)}`);
    return problem(
      503,
      "the release could not be started just now; resend the notification from the service hook's History",
    );
  }
  context.log(
    `azureDevOpsWebhook: ${repository}@${decision.commit} -> release ${began.releaseId} ` +
      `(${began.started ? 'started' : `already ${began.runtimeStatus ?? 'known'}`})`,
  );
  return {
    status: began.started ? 202 : 200,
    headers: { location: began.statusUrl },
    jsonBody: { releaseId: began.releaseId, started: began.started, statusUrl: began.statusUrl },
  };
}

/**
 * Options for `app.http('azureDevOpsWebhook', azureDevOpsWebhookOptions)`. Anonymous at the Functions level:
 * the service hook's Basic credentials are the credential, checked in constant time above.
 */
export const azureDevOpsWebhookOptions: HttpFunctionOptions = {
  route: 'webhooks/azure-devops',
  methods: ['POST'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: azureDevOpsWebhook,
};

/** Settings are read once per process; a failure is logged (it names the setting) and answered with 500. */
function readSettings(context: InvocationContext): Settings | undefined {
  try {
    return appServices().settings;
  } catch (error) {
    context.error(`azureDevOpsWebhook: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

function problem(status: number, detail: string): HttpResponseInit {
  return { status, jsonBody: { error: detail } };
}
