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
import { signedInName } from '../approvals/resolveApprover';
import { beginRelease } from './beginRelease';

// Each operator field's rule, named in the 400 (`{ error, field, rule }`). Whatever reaches the release's
// instance id (commit, bundle) or its pages must keep to characters the Durable extension accepts
// (config/instanceIdProblem.ts); the rest is bounded so that an answer never echoes a long hostile value.
const RULES = {
  bundleId: 'the sha256 id of a staged bundle: 64 lowercase hexadecimal characters',
  environments:
    'a list of at most 16 configured environment names (a-z, 0-9, starting with a letter, at most 16)',
  from: 'a configured environment name (a-z, 0-9, starting with a letter, at most 16)',
  rerun: 'a label of 1 to 64 letters, digits and . _ : + - (e.g. a timestamp)',
  commit: 'a git commit id: 7 to 40 hexadecimal characters',
  ref: 'a git ref of 1 to 256 characters without spaces, control characters or ~ ^ : ? * [ \\',
} as const;
type Field = keyof typeof RULES;

// Environment names as loadSettings accepts them (BRICKLANE_ENVIRONMENTS).
const ENVIRONMENT_NAME = /^[a-z][a-z0-9]{0,15}$/;
// git check-ref-format: no ASCII control characters, space, ~ ^ : ? * [ or backslash.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const GIT_REF = /^[^\u0000-\u0020\u007f~^:?*[\\]{1,256}$/;

const body = z.strictObject({
  bundleId: z.string().regex(/^[0-9a-f]{64}$/, 'bundleId must be the sha256 id of a staged bundle'),
  environments: z
    .array(z.string().regex(ENVIRONMENT_NAME, 'each environment must be a configured environment name'))
    .max(16, 'environments names at most 16 environments')
    .optional(),
  from: z.string().regex(ENVIRONMENT_NAME, 'from must be a configured environment name').optional(),
  rerun: z
    .string()
    .regex(/^[A-Za-z0-9._:+-]{1,64}$/, 'rerun must be 1 to 64 letters, digits and . _ : + -')
    .optional(),
  // A git commit id; it becomes part of the release's instance id (see config/instanceIdProblem.ts).
  commit: z
    .string()
    .regex(/^[0-9a-fA-F]{7,40}$/, 'commit must be a git commit id: 7 to 40 hexadecimal characters')
    .optional(),
  ref: z.string().regex(GIT_REF, 'ref must be a git ref').optional(),
});

export async function startRelease(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const text = await request.text();
  if (text.length > 16_384) return problem(413, 'request body over 16 KB', 'body', 'at most 16 KB of JSON');
  let parsed;
  try {
    parsed = body.safeParse(JSON.parse(text || '{}'));
  } catch {
    return problem(
      400,
      'body must be JSON: { "bundleId": "<sha256>", "environments"?: [...], "from"?: "qa", "rerun"?: "label" }',
      'body',
      'a JSON object',
    );
  }
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const first = issues[0];
    // strictObject reports unknown keys as one issue at the top, listing them.
    const unknown = first?.code === 'unrecognized_keys' ? first.keys[0] : undefined;
    const top = first?.path[0];
    const field = unknown ?? (typeof top === 'string' ? top : 'body');
    return problem(
      400,
      issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      field,
      field in RULES ? RULES[field as Field] : `one of the fields ${Object.keys(RULES).join(', ')}`,
    );
  }
  const services = appServices();
  const { bundleId, commit, ref, ...scope } = parsed.data;
  if (!(await services.releases.container.getBlockBlobClient(stagedBundleBlob(bundleId)).exists())) {
    return problem(
      404,
      `bundle ${bundleId} is not staged; upload it to the bundles container first`,
      'bundleId',
      RULES.bundleId,
    );
  }
  const configured = services.settings.environments.map((e) => e.name);
  for (const field of ['environments', 'from'] as const) {
    const unknown = [parsed.data[field] ?? []].flat().filter((name) => !configured.includes(name));
    if (unknown.length > 0) {
      return problem(
        400,
        `${field}: unknown environment(s) ${unknown.join(', ')}; configured: ${configured.join(', ')}`,
        field,
        `configured environments: ${configured.join(', ')}`,
      );
    }
  }
  let input;
  try {
    input = releaseInputFor(services.settings, {
      bundleId,
      source: {
        kind: 'manual',
        ...(commit ? { commit } : {}),
        ...(ref ? { ref } : {}),
        requestedBy: principalOf(request, services.easyAuthEnabled),
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

/**
 * Who asked: the signed-in user when App Service Authentication is on and someone signed in (the platform
 * sets the identity headers and strips forged ones); otherwise the function key was the only credential.
 * Without App Service Authentication `x-ms-client-principal-name` is whatever the caller typed.
 */
function principalOf(request: HttpRequest, easyAuthEnabled: boolean): string {
  return signedInName(request.headers, easyAuthEnabled) ?? FUNCTION_KEY_HOLDER;
}

export const FUNCTION_KEY_HOLDER = 'function key holder';

/** `{ error }`, as always, with the field and its rule when one field is at fault. */
function problem(status: number, detail: string, field?: string, rule?: string): HttpResponseInit {
  return {
    status,
    jsonBody: {
      error: detail,
      ...(field === undefined ? {} : { field }),
      ...(rule === undefined ? {} : { rule }),
    },
  };
}

/** Options for `app.http('startRelease', startReleaseOptions)`. The function key guards it (operators and CI). */
export const startReleaseOptions: HttpFunctionOptions = {
  route: 'releases',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: startRelease,
};
