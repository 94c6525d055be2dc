// Pure: an authenticated Azure Repos `git.push` service hook payload -> deploy this commit, ignore it (with
// the reason), reject it as malformed, or refuse it as coming from another organization. The payload's
// organization is only compared with the configured one: sources are always fetched from the setting, and
// a payload naming another organization is refused, so our credentials are never sent to a URL a payload
// chose. Fields as in "Service hook events" (Azure DevOps docs), Code pushed: resource.refUpdates,
// resource.repository {id, url, project}, resource.pushedBy, resourceContainers.{account,collection}.baseUrl.
import { z } from 'zod';
import { azureDevOpsNameProblem } from '../config/azureDevOpsNameProblem';

export type AzureReposPushDecision =
  | {
      action: 'deploy';
      /** The project's name (for pages), or its id when the payload has no name. */
      project: string;
      /** The project's GUID when the payload has it: what the fetch URL uses (issue 10: ids over names). */
      projectId?: string;
      repositoryId: string;
      repositoryName: string;
      commit: string;
      ref: string;
      requestedBy: string;
    }
  | { action: 'ignore'; reason: string }
  | { action: 'reject'; problem: string }
  | { action: 'foreign'; problem: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ZERO_SHA = /^0+$/;
const container = z.object({ baseUrl: z.string().max(2048).optional() }).nullish();

const pushPayload = z.object({
  resource: z.object({
    refUpdates: z.array(z.object({ name: z.string().max(1024), newObjectId: z.string().max(64) })).max(1000),
    repository: z.object({
      id: z.string().regex(GUID, 'must be a repository id (a GUID)'),
      name: z.string().max(256).optional(),
      url: z.string().max(2048).optional(),
      project: z.object({
        id: z.string().regex(GUID).optional(),
        name: z.string().min(1).max(256).optional(),
      }),
    }),
    pushedBy: z
      .object({ displayName: z.string().max(256).optional(), uniqueName: z.string().max(256).optional() })
      .nullish(),
  }),
  resourceContainers: z.object({ account: container, collection: container }).nullish(),
});

export function parseAzureReposPush(
  payload: unknown,
  settings: { branch: string; organizationUrl: string },
): AzureReposPushDecision {
  const eventType = (payload as { eventType?: unknown } | null)?.eventType;
  if (eventType !== 'git.push') {
    return {
      action: 'ignore',
      reason: `event ${typeof eventType === 'string' ? eventType : '(none)'} is not git.push: subscribe the service hook to "Code pushed"`,
    };
  }
  const parsed = pushPayload.safeParse(payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`);
    return { action: 'reject', problem: `not an Azure Repos git.push payload: ${problems.join('; ')}` };
  }
  const { resource, resourceContainers } = parsed.data;
  const named = [
    resourceContainers?.account?.baseUrl,
    resourceContainers?.collection?.baseUrl,
    resource.repository.url,
  ].filter((u): u is string => Boolean(u));
  if (named.length === 0) {
    return {
      action: 'reject',
      problem: 'the payload names no organization (resourceContainers.account.baseUrl)',
    };
  }
  const organization = organizationKey(settings.organizationUrl);
  const foreign = named.find((u) => !belongsTo(u, organization));
  if (foreign !== undefined) {
    return {
      action: 'foreign',
      problem:
        `the push comes from ${originOf(foreign)}, not from the configured organization ` +
        `${settings.organizationUrl} (BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL)`,
    };
  }
  const wanted = `refs/heads/${settings.branch}`;
  const update = resource.refUpdates.find((u) => u.name === wanted);
  if (!update) {
    const names = resource.refUpdates.map((u) => u.name).slice(0, 5);
    return {
      action: 'ignore',
      reason: `push to ${names.join(', ') || 'no ref'}: only pushes to branch ${settings.branch} deploy`,
    };
  }
  if (ZERO_SHA.test(update.newObjectId)) {
    return { action: 'ignore', reason: `branch ${settings.branch} was deleted: nothing to deploy` };
  }
  if (!/^[0-9a-f]{40}$/.test(update.newObjectId)) {
    return { action: 'reject', problem: `newObjectId "${update.newObjectId}" is not a commit sha` };
  }
  const { id: projectId, name: projectName } = resource.repository.project;
  const project = projectName ?? projectId;
  if (!project) return { action: 'reject', problem: 'resource.repository.project has neither name nor id' };
  // Names end up on pages and in links; only names Azure DevOps allows pass (a project "https:" with a
  // repository "//evil.example/_git/x" made a link to evil.example; issue 10).
  const names = [
    ['resource.repository.project.name', projectName],
    ['resource.repository.name', resource.repository.name],
  ] as const;
  for (const [field, name] of names) {
    const problem = name === undefined ? undefined : azureDevOpsNameProblem(name);
    if (problem) return { action: 'reject', problem: `${field}: "${name?.slice(0, 64)}" ${problem}` };
  }
  return {
    action: 'deploy',
    project,
    ...(projectId ? { projectId: projectId.toLowerCase() } : {}),
    repositoryId: resource.repository.id.toLowerCase(),
    repositoryName: resource.repository.name ?? resource.repository.id,
    commit: update.newObjectId,
    ref: wanted,
    requestedBy: resource.pushedBy?.uniqueName || resource.pushedBy?.displayName || 'unknown pusher',
  };
}

/**
 * Organizations compare case-insensitively, without trailing slashes, and with the legacy
 * https://{org}.visualstudio.com[/DefaultCollection] spelling read as https://dev.azure.com/{org}
 * (payloads of older organizations still use it).
 */
function organizationKey(url: string): string {
  let lower: string;
  try {
    // Parsed first, so dot segments, default ports and user info cannot dress up another organization.
    lower = new URL(url.trim()).href.toLowerCase().replace(/\/+$/, '');
  } catch {
    return '';
  }
  const legacy = /^https:\/\/([a-z0-9][a-z0-9-]*)\.visualstudio\.com(?:\/defaultcollection)?(\/.*)?$/.exec(
    lower,
  );
  return legacy ? `https://dev.azure.com/${legacy[1]}${legacy[2] ?? ''}` : lower;
}

function belongsTo(url: string, organization: string): boolean {
  const key = organizationKey(url);
  return key !== '' && organization !== '' && (key === organization || key.startsWith(`${organization}/`));
}

function originOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname.split('/').slice(0, 2).join('/')}`;
  } catch {
    return 'an unreadable URL';
  }
}
