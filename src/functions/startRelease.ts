// I/O (HTTP trigger): POST /api/releases — start a release of a staged bundle, from the Functions portal's
// Test/Run or any HTTP client with the function key. Body: { bundleId, environments?, from?, rerun?, commit? }.
// Starting the same release twice answers the existing one; a completed release is never overwritten.
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { appServices } from '../services/appServices';
import { OrchestrationLookupError } from '../azure/findOrchestration';
import { stagedBundleBlob } from '../azure/ReleaseStorage';
import { SettingsError } from '../config/loadSettings';
import { releaseInputFor } from '../release/releaseInputFor';
import { beginRelease } from './beginRelease';

const body = z.strictObject({
  bundleId: z.string().regex(/^[0-9a-f]{64}$/, 'bundleId must be the sha256 id of a staged bundle'),
  environments: z.array(z.string()).optional(),
  from: z.string().optional(),
  rerun: z.string().max(64).optional(),
  // A git commit id; it becomes part of the release's instance id (see config/instanceIdProblem.ts).
  commit: z
    .string()
    .regex(/^[0-9a-fA-F]{7,40}$/, 'commit must be a git commit id: 7 to 40 hexadecimal characters')
    .optional(),
  ref: z.string().max(256).optional(),
});

export async function startRelease(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const text = await request.text();
  if (text.length > 16_384) return problem(413, 'request body over 16 KB');
  let parsed;
  try {
    parsed = body.safeParse(JSON.parse(text || '{}'));
  } catch {
    return problem(
      400,
      'body must be JSON: { "bundleId": "<sha256>", "environments"?: [...], "from"?: "qa", "rerun"?: "label" }',
    );
  }
  if (!parsed.success) {
    return problem(
      400,
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  }
  const services = appServices();
  const { bundleId, commit, ref, ...scope } = parsed.data;
  if (!(await services.releases.container.getBlockBlobClient(stagedBundleBlob(bundleId)).exists())) {
    return problem(404, `bundle ${bundleId} is not staged; upload it to the bundles container first`);
  }
  let input;
  try {
    input = releaseInputFor(services.settings, {
      bundleId,
      source: {
        kind: 'manual',
        ...(commit ? { commit } : {}),
        ...(ref ? { ref } : {}),
        requestedBy: principalOf(request),
      },
      ...scope,
    });
  } catch (error) {
    if (error instanceof SettingsError) return problem(400, error.problems.join('; '));
    throw error;
  }
  let began;
  try {
    began = await beginRelease(df.getClient(context), input, services.settings.publicUrl);
  } catch (error) {
    if (!(error instanceof OrchestrationLookupError)) throw error;
    context.error(`startRelease: ${error.message}`);
    return {
      status: 503,
      headers: { 'Retry-After': '10' },
      jsonBody: { error: `release ${input.releaseId} was not started: ${error.message}` },
    };
  }
  if (began.started) {
    context.log(
      `started release ${input.releaseId} of bundle ${bundleId} for ${input.environments.join(', ')}`,
    );
  }
  return {
    status: began.started ? 202 : 200,
    headers: { location: began.statusUrl },
    jsonBody: began,
  };
}

function principalOf(request: HttpRequest): string {
  return request.headers.get('x-ms-client-principal-name') ?? 'operator (function key)';
}

function problem(status: number, detail: string): HttpResponseInit {
  return { status, jsonBody: { error: detail } };
}

/** Options for `app.http('startRelease', startReleaseOptions)`. The function key guards it (operators and CI). */
export const startReleaseOptions: HttpFunctionOptions = {
  route: 'releases',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: startRelease,
};
