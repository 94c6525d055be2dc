// Test infrastructure: the HTTP inputs of the bad-input table, sent as their real senders send them:
// GitHub deliveries (signed with the configured secret unless a row says otherwise), Azure Repos service
// hook notifications (Basic authentication), operator calls to /api/releases, and approval links.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  approvalUrl,
  createApprovalToken,
  viewUrl,
  type ApprovalClaims,
} from '../../../src/approvals/approvalToken';
import { approvalDecisionOptions } from '../../../src/functions/approvalDecision';
import { approvalPageOptions } from '../../../src/functions/approvalPage';
import { azureDevOpsWebhookOptions } from '../../../src/functions/azureDevOpsWebhook';
import { getReleaseOptions } from '../../../src/functions/getRelease';
import { githubWebhookOptions } from '../../../src/functions/githubWebhook';
import { startReleaseOptions } from '../../../src/functions/startRelease';
import { viewReleaseOptions } from '../../../src/functions/viewRelease';
import type { ReleaseStatus } from '../../../src/release/ReleaseStatus';
import { branchPushExample } from '../../fixtures/webhooks/githubExamples';
import { refusalOf, type Refusal } from './BadInputRow';
import {
  GITHUB_SECRET,
  HOOK_PASSWORD,
  HOOK_USER,
  PUBLIC_URL,
  SIGNING_KEY,
  type BadInputWorld,
} from './BadInputWorld';

export type Headers = Record<string, string>;
export type Payload = Record<string, unknown>;

export const json = (payload: unknown): Buffer => Buffer.from(JSON.stringify(payload));

export const hmac = (body: Buffer, secret = GITHUB_SECRET): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** GitHub's real push example, moved to main and to a commit of its own. */
export function githubPush(commit = randomHex(40)): Payload {
  return { ...branchPushExample(), ref: 'refs/heads/main', after: commit };
}

export function randomHex(length: number): string {
  return randomUUID().replace(/-/g, '').repeat(2).slice(0, length);
}

export interface GitHubDelivery {
  event?: string;
  body: Buffer;
  headers?: Headers;
  without?: string[];
}

export async function deliverToGitHubWebhook(
  world: BadInputWorld,
  { event = 'push', body, headers = {}, without = [] }: GitHubDelivery,
): Promise<Refusal> {
  const all: Headers = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/044aadd',
    'x-github-event': event,
    'x-github-delivery': randomUUID(),
    'x-hub-signature-256': hmac(body),
    ...headers,
  };
  for (const name of without) Reflect.deleteProperty(all, name);
  return refusalOf(
    await world.call(githubWebhookOptions, {
      method: 'POST',
      url: `${PUBLIC_URL}/api/webhooks/github`,
      headers: all,
      body,
    }),
  );
}

const GIT_PUSH = join(__dirname, '..', '..', 'fixtures', 'webhooks', 'azure-devops-git.push.json');

export interface AzureReposPush {
  eventType: string;
  resource: {
    refUpdates: { name: string; oldObjectId: string; newObjectId: string }[];
    repository: { id: string; name: string; url: string; project: { id: string; name: string } };
  } & Payload;
  resourceContainers: Record<string, { id: string; baseUrl?: string }>;
}

/** Microsoft's documented git.push notification. */
export const azureReposPush = (): AzureReposPush =>
  JSON.parse(readFileSync(GIT_PUSH, 'utf8')) as AzureReposPush;

export const basic = (user = HOOK_USER, password = HOOK_PASSWORD): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export async function notifyAzureDevOpsWebhook(
  world: BadInputWorld,
  { body, headers = {}, without = [] }: { body: Buffer; headers?: Headers; without?: string[] },
): Promise<Refusal> {
  const all: Headers = {
    'content-type': 'application/json; charset=utf-8',
    authorization: basic(),
    ...headers,
  };
  for (const name of without) Reflect.deleteProperty(all, name);
  return refusalOf(
    await world.call(azureDevOpsWebhookOptions, {
      method: 'POST',
      url: `${PUBLIC_URL}/api/webhooks/azure-devops`,
      headers: all,
      body,
    }),
  );
}

/** POST /api/releases with the function key (the host checked it before the handler runs). */
export async function postRelease(
  world: BadInputWorld,
  body: string,
  headers: Headers = {},
): Promise<Refusal> {
  return refusalOf(
    await world.call(startReleaseOptions, {
      method: 'POST',
      url: `${PUBLIC_URL}/api/releases?code=function-key`,
      headers: { 'content-type': 'application/json', ...headers },
      body,
    }),
  );
}

/** GET /api/releases/{id}, as a browser asks for it (HTML) unless `accept` says otherwise. */
export async function getReleaseById(
  world: BadInputWorld,
  id: string,
  { accept = 'text/html', query = '' }: { accept?: string; query?: string } = {},
): Promise<Refusal> {
  return refusalOf(
    await world.call(
      getReleaseOptions,
      {
        method: 'GET',
        url: `${PUBLIC_URL}/api/releases/${encodeURIComponent(id)}${query}`,
        headers: { accept },
      },
      { id },
    ),
  );
}

/** GET /api/views/{token}: a signed view link, as a script reads it (JSON). */
export async function openViewLink(world: BadInputWorld, token: string): Promise<Refusal> {
  return refusalOf(
    await world.call(
      viewReleaseOptions,
      { method: 'GET', url: viewUrl(PUBLIC_URL, token), headers: { accept: 'application/json' } },
      { token },
    ),
  );
}

const HOUR = 3600;
const inHours = (hours: number): number => Math.floor(Date.now() / 1000) + hours * HOUR;

/**
 * Registers a release whose `environment` stage waits for approval (as deployRelease's custom status
 * shows it) and returns a link for that wait, signed with the operator's key unless `keys` says otherwise.
 */
export function releaseWaiting(
  world: BadInputWorld,
  releaseId: string,
  environment: string,
  claims: Partial<ApprovalClaims> = {},
  keys: string[] = [SIGNING_KEY],
  source: ReleaseStatus['source'] = {
    kind: 'github',
    commit: 'a1b2c3d',
    ref: 'refs/heads/main',
    repository: 'contoso/etl',
  },
): string {
  const expiresAt = claims.expiresAt ?? inHours(72);
  const counts = { create: 1, update: 0, unchanged: 0, delete: 0, drift: 0 };
  const status: ReleaseStatus = {
    releaseId,
    bundleId: 'b'.repeat(64),
    source,
    state: 'waiting',
    startedAt: '2026-12-04T09:00:00Z',
    stages: [
      { environment: 'dev', state: 'succeeded' },
      {
        environment,
        state: 'waiting',
        plan: { initScripts: counts, clusters: counts, notebooks: counts, files: counts, jobs: counts },
        approval: { required: true, expiresAt: new Date(expiresAt * 1000).toISOString() },
      },
    ],
  };
  world.durable.instances.set(releaseId, { runtimeStatus: 'Running', customStatus: status });
  return createApprovalToken({ releaseId, environment, expiresAt, ...claims }, keys);
}

/** An expiry in the past or the future, in epoch seconds. */
export { inHours };

/** The identity headers App Service Authentication puts on a request, with these claims. */
export function signedIn(name: string, claims: Record<string, string>, provider = 'aad'): Headers {
  const principal = {
    auth_typ: provider,
    name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
    claims: Object.entries(claims).map(([typ, val]) => ({ typ, val })),
  };
  return {
    'x-ms-client-principal-name': name,
    'x-ms-client-principal-idp': provider,
    'x-ms-client-principal': Buffer.from(JSON.stringify(principal)).toString('base64'),
  };
}

export async function openApprovalLink(
  world: BadInputWorld,
  token: string,
  headers: Headers = {},
  query = '',
): Promise<Refusal> {
  return refusalOf(
    await world.call(
      approvalPageOptions,
      { method: 'GET', url: `${approvalUrl(PUBLIC_URL, token)}${query}`, headers },
      { token },
    ),
  );
}

/** A decision as the page's form posts it (same origin), with the row's changes on top. */
export async function decide(
  world: BadInputWorld,
  token: string,
  { body = 'decision=approve', headers = {} }: { body?: string; headers?: Headers } = {},
): Promise<Refusal> {
  return refusalOf(
    await world.call(
      approvalDecisionOptions,
      {
        method: 'POST',
        url: approvalUrl(PUBLIC_URL, token),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'sec-fetch-site': 'same-origin',
          origin: PUBLIC_URL,
          ...headers,
        },
        body,
      },
      { token },
    ),
  );
}
