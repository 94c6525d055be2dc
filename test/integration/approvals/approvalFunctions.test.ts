import {
  HttpRequest,
  InvocationContext,
  type HttpFunctionOptions,
  type HttpResponseInit,
} from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReleaseInput } from '../../../src/release/ReleaseInput';
import type { ReleaseStatus, StageStatus } from '../../../src/release/ReleaseStatus';
import {
  type ApprovalClaims,
  approvalUrl,
  createApprovalToken,
  verifyViewToken,
} from '../../../src/approvals/approvalToken';
import { DecisionStore } from '../../../src/approvals/DecisionStore';
import { AuditStore } from '../../../src/azure/AuditStore';
import { approvalDecisionOptions as approvalDecision } from '../../../src/functions/approvalDecision';
import { approvalPageOptions as approvalPage } from '../../../src/functions/approvalPage';
import type { DeployPlan } from '../../../src/planning/DeployPlan';
import { Azurite } from '../../emulator/Azurite';
import { FakeDurableApi } from '../../emulator/FakeDurableApi';

const KEY = 'approval-test-key-0123456789abcdef0123456789';
const PUBLIC_URL = 'https://bricklane.example.net';
const SUB = '00000000-0000-0000-0000-000000000001';
const HOUR = 3600;
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

let azurite: Azurite;
let durable: FakeDurableApi;
let logs: string[];

const UPN = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn';
const OBJECT_ID = 'http://schemas.microsoft.com/identity/claims/objectidentifier';

/** The headers App Service Authentication sets for a user Microsoft Entra ID signed in. */
function principal(
  upn: string,
  objectId = '11111111-2222-4333-8444-555555555555',
  extraClaims: Array<[string, string]> = [],
): Record<string, string> {
  const claims = [
    [OBJECT_ID, objectId],
    [UPN, upn],
    ['name', `${upn.split('@')[0]} (display)`],
    ...extraClaims,
  ];
  const value = { auth_typ: 'aad', claims: claims.map(([typ, val]) => ({ typ, val })) };
  return {
    'x-ms-client-principal-idp': 'aad',
    'x-ms-client-principal-id': objectId,
    'x-ms-client-principal-name': upn,
    'x-ms-client-principal': Buffer.from(JSON.stringify(value)).toString('base64'),
  };
}

/** A release waiting for `environment`, as deployRelease's custom status shows it. */
/** The decisions the functions under test recorded, read back from Azurite. */
function decisionStore(): DecisionStore {
  return new DecisionStore(BlobServiceClient.fromConnectionString(azurite.connectionString));
}

function waitingRelease(releaseId: string, environment: string, expiresAt: number): ReleaseStatus {
  const none = { create: 0, update: 0, unchanged: 0, delete: 0, drift: 0 };
  const waiting: StageStatus = {
    environment,
    state: 'waiting',
    plan: { initScripts: none, clusters: { ...none, update: 1 }, notebooks: none, files: none, jobs: none },
    approval: { required: true, expiresAt: new Date(expiresAt * 1000).toISOString() },
  };
  return {
    releaseId,
    bundleId: 'a'.repeat(64),
    source: {
      kind: 'github',
      commit: '3f2a9c1d',
      ref: 'refs/heads/main',
      repository: 'contoso/etl',
      requestedBy: 'mona',
    },
    state: 'waiting',
    startedAt: '2026-11-25T09:00:00Z',
    stages: [{ environment: 'dev', state: 'succeeded' }, waiting],
  };
}

/** The release view link on a page: it must verify and name the release (issue 10: never the function key). */
function viewLinkOf(html: string, releaseId: string): string {
  const href = new RegExp(`<a href="${PUBLIC_URL}/api/views/([^"]+)">Release status</a>`).exec(html)?.[1];
  expect(href).toBeDefined();
  const verified = verifyViewToken(href ?? '', [KEY], new Date());
  expect(verified).toMatchObject({ ok: true, claims: { releaseId } });
  expect(html).not.toContain('code=');
  return href ?? '';
}

/** Registers a waiting release with the fake host and returns a link for it. */
function waitingFor(releaseId: string, environment: string, claims: Partial<ApprovalClaims> = {}): string {
  const expiresAt = claims.expiresAt ?? nowSeconds() + 72 * HOUR;
  durable.instances.set(releaseId, {
    runtimeStatus: 'Running',
    customStatus: waitingRelease(releaseId, environment, expiresAt),
  });
  return createApprovalToken({ releaseId, environment, expiresAt, ...claims }, [KEY]);
}

function context(options: HttpFunctionOptions): InvocationContext {
  const ctx = new InvocationContext({
    functionName: 'approvalTest',
    options: { extraInputs: options.extraInputs ?? [] },
    logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
  });
  const input = options.extraInputs?.[0];
  if (!input) throw new Error('the function has no durable client input');
  ctx.extraInputs.set(input, durable.clientData);
  return ctx;
}

async function get(token: string, headers: Record<string, string> = {}): Promise<HttpResponseInit> {
  const request = new HttpRequest({
    method: 'GET',
    url: approvalUrl(PUBLIC_URL, token),
    headers,
    params: { token },
  });
  return approvalPage.handler(request, context(approvalPage)) as Promise<HttpResponseInit>;
}

async function post(
  token: string,
  body: string,
  headers: Record<string, string> = {},
  contentType = 'application/x-www-form-urlencoded',
): Promise<HttpResponseInit> {
  const request = new HttpRequest({
    method: 'POST',
    url: approvalUrl(PUBLIC_URL, token),
    // An empty value drops the header (a client that does not send it).
    headers: Object.fromEntries(
      Object.entries({
        'content-type': contentType,
        'sec-fetch-site': 'same-origin',
        origin: PUBLIC_URL,
        ...headers,
      }).filter(([, value]) => value !== ''),
    ),
    params: { token },
    body: { string: body },
  });
  return approvalDecision.handler(request, context(approvalDecision)) as Promise<HttpResponseInit>;
}

const text = (response: HttpResponseInit): string => String(response.body);
const ALICE_OID = '6f1d2c3b-0a9e-4c8d-9b7a-1e2f3a4b5c6d';
const RELEASE_MANAGERS = '9d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';

beforeAll(async () => {
  [azurite, durable] = await Promise.all([Azurite.start(), FakeDurableApi.start()]);
  // The functions read settings once, on their first call.
  Object.assign(process.env, {
    BRICKLANE_ENVIRONMENTS: 'dev,qa,prod',
    BRICKLANE_DEV_SUBSCRIPTION_ID: SUB,
    BRICKLANE_QA_SUBSCRIPTION_ID: SUB,
    BRICKLANE_PROD_SUBSCRIPTION_ID: SUB,
    BRICKLANE_QA_APPROVERS: 'Alice@contoso.com, carol@contoso.com',
    BRICKLANE_QA_APPROVER_GROUPS: RELEASE_MANAGERS,
    BRICKLANE_IDENTITY_MAP: 'github:mona=mona@contoso.com',
    BRICKLANE_LEDGER_CONNECTION: azurite.connectionString,
    BRICKLANE_APPROVAL_SIGNING_KEYS: `${KEY},old-approval-key-0123456789abcdef0123456789`,
    BRICKLANE_PUBLIC_URL: PUBLIC_URL,
    WEBSITE_AUTH_ENABLED: 'True',
  });
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), durable?.stop()]);
});
beforeEach(() => {
  logs = [];
});

describe('GET /api/approvals/{token}', () => {
  it('shows the release and its stored plan, with the page security headers, and decides nothing', async () => {
    const token = waitingFor('rel-page', 'prod');
    const plan: DeployPlan = {
      version: 1,
      environment: 'prod',
      steps: [
        {
          key: 'clusters.<img src=x>',
          kind: 'clusters',
          action: 'update',
          wave: 1,
          target: '<img src=x>',
          reason: 'spec changed',
          changes: ['num_workers'],
        },
      ],
      summary: {
        initScripts: { create: 0, update: 0, unchanged: 0, delete: 0, drift: 0 },
        clusters: { create: 0, update: 1, unchanged: 0, delete: 0, drift: 0 },
        notebooks: { create: 0, update: 0, unchanged: 0, delete: 0, drift: 0 },
        files: { create: 0, update: 0, unchanged: 0, delete: 0, drift: 0 },
        jobs: { create: 0, update: 0, unchanged: 0, delete: 0, drift: 0 },
      },
    };
    const body = JSON.stringify(plan);
    const releases = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'bricklane-releases',
    );
    await releases.createIfNotExists();
    await releases.getBlockBlobClient('plans/rel-page/prod.json').upload(body, Buffer.byteLength(body));

    const response = await get(token, principal('dave@contoso.com'));
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      'Content-Security-Policy': expect.stringContaining(
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      ),
      'X-Frame-Options': 'DENY',
      // Its own form posts must carry its Origin (the POST refuses Origin: null); nobody else gets a Referer.
      'Referrer-Policy': 'same-origin',
      'Cache-Control': 'no-store',
      'Content-Type': 'text/html; charset=utf-8',
    });
    const html = text(response);
    expect(html).toContain('Deploy to Prod?');
    expect(html).toContain('contoso/etl');
    expect(html).toContain('mona');
    expect(html).toContain('&lt;img src=x&gt;');
    expect(html).not.toContain('<img');
    expect(html).toContain(`<form method="post" action="/api/approvals/${token}">`);
    expect(html).toContain('signed in as <strong>dave@contoso.com</strong>');
    expect(durable.raised).toEqual([]);
    expect(await decisionStore().read('rel-page', 'prod')).toBeUndefined();
  });

  it('shows the counts from the release status when the plan blob is missing', async () => {
    const response = await get(waitingFor('rel-page-noplan', 'prod'));
    expect(response.status).toBe(200);
    expect(text(response)).toContain('0 to create, 1 to update, 0 to delete');
  });

  it('tells a signed-out viewer of an allow-listed environment to sign in, with the buttons disabled', async () => {
    const response = await get(waitingFor('rel-page-signin', 'qa'));
    expect(response.status).toBe(200);
    expect(text(response)).toContain('Only named approvers may decide for qa');
    expect(text(response)).toContain('/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fapprovals%2F');
    expect(text(response)).toContain('class="approve" disabled');
  });

  it.each([
    { name: 'malformed', status: 400, token: (): string => 'not-a-token' },
    {
      name: 'forged',
      status: 403,
      token: (): string =>
        createApprovalToken({ releaseId: 'rel-x', environment: 'prod', expiresAt: nowSeconds() + HOUR }, [
          'f'.repeat(40),
        ]),
    },
    {
      name: 'expired',
      status: 410,
      token: (): string => waitingFor('rel-page-expired', 'prod', { expiresAt: nowSeconds() - 1 }),
    },
  ])('answers a $name link with $status', async ({ token, status }) => {
    const response = await get(token());
    expect(response.status).toBe(status);
    expect(response.headers).toMatchObject({ 'Cache-Control': 'no-store' });
    expect(durable.raised).toEqual([]);
  });

  it('says "no longer waiting" with the stage state when the stage moved on', async () => {
    const token = waitingFor('rel-page-moved', 'prod');
    const status = waitingRelease('rel-page-moved', 'prod', nowSeconds() + HOUR);
    status.stages[1] = {
      environment: 'prod',
      state: 'rejected',
      approval: { required: true, decision: 'reject', approver: 'erin@contoso.com' },
    };
    durable.instances.set('rel-page-moved', { runtimeStatus: 'Completed', customStatus: status });
    const response = await get(token);
    expect(response.status).toBe(409);
    expect(text(response)).toContain('no longer waits for prod');
    expect(text(response)).toContain('<dt>State</dt><dd>rejected</dd>');
    expect(text(response)).toContain('erin@contoso.com');
  });

  it('says where (subscription, resource group, a workspace to create), who may decide, the previous stage, and links to the release', async () => {
    const token = waitingFor('rel-page-where', 'prod');
    const plan = { version: 1, environment: 'prod', steps: [], workspace: { exists: false } };
    const body = JSON.stringify({ ...plan, summary: waitingRelease('x', 'prod', 0).stages[1]?.plan });
    const releases = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'bricklane-releases',
    );
    await releases.createIfNotExists();
    await releases.getBlockBlobClient('plans/rel-page-where/prod.json').upload(body, Buffer.byteLength(body));

    const html = text(await get(token));
    expect(html).toContain(`<dt>Subscription</dt><dd><code>${SUB}</code>`);
    expect(html).toMatch(/<dt>Resource group<\/dt><dd><code>[^<]+<\/code>/);
    expect(html).toContain('<strong>does not exist yet; approving creates it</strong>');
    expect(html).toContain('<dt>Azure resources created</dt><dd>the Databricks workspace ');
    // Prod has no allow-list: whoever holds the link decides, and the page says so loudly.
    expect(html).toContain('Who may decide: <strong>anyone holding this link</strong>');
    expect(html).toContain('<dt>Previous stage</dt><dd>Dev (dev): Succeeded</dd>');
    viewLinkOf(html, 'rel-page-where');

    // QA has an allow-list: the page names it.
    const qa = text(await get(waitingFor('rel-page-who', 'qa'), principal('alice@contoso.com')));
    expect(qa).toMatch(
      /Who may decide: Only <code>alice@contoso\.com<\/code>, <code>carol@contoso\.com<\/code>/i,
    );
  });

  it('answers 404 for a release that does not exist', async () => {
    const token = createApprovalToken(
      { releaseId: 'rel-gone', environment: 'prod', expiresAt: nowSeconds() + HOUR },
      [KEY],
    );
    expect((await get(token)).status).toBe(404);
  });
});

describe('POST /api/approvals/{token}', () => {
  it('records a valid approval and raises exactly one event; a second POST gets 409 and raises nothing', async () => {
    const token = waitingFor('rel-approve', 'prod');
    const response = await post(token, 'decision=approve&comment=Looks+%3Cgood%3E');
    expect(response.status).toBe(200);
    expect(text(response)).toContain('Approved for Prod');
    expect(text(response)).toContain('Looks &lt;good&gt;');
    expect(durable.eventsFor('rel-approve')).toEqual([
      {
        instanceId: 'rel-approve',
        name: 'approval:prod',
        body: {
          decision: 'approve',
          approver: 'anonymous (link holder)',
          comment: 'Looks <good>',
          decidedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          // The wait it answers (the link's expiry and plan): the gate lets a copy for another wait pass.
          wait: { expiresAt: expect.any(Number) },
        },
      },
    ]);
    expect(logs.join('\n')).toContain('approve prod of release rel-approve by anonymous (link holder)');
    expect(logs.join('\n')).not.toContain(token);

    // The record says the event reached the release.
    expect(await decisionStore().read('rel-approve', 'prod')).toMatchObject({ delivered: true });

    // Same link again (a double click, a replay, a second approver): the orchestration still says waiting,
    // and the decision was delivered: 409, nothing raised.
    const again = await post(token, 'decision=reject');
    expect(again.status).toBe(409);
    expect(text(again)).toContain('Already decided');
    expect(durable.eventsFor('rel-approve')).toHaveLength(1);
    // And the page no longer offers the form.
    const page = await get(token);
    expect(page.status).toBe(409);
    expect(durable.eventsFor('rel-approve')).toHaveLength(1);
  });

  it("delivers a decision whose first request ended after recording it (a worker restart), with its maker's audit claims", async () => {
    const token = waitingFor('rel-cut-off', 'qa');
    // What the cut-off request left: the record of alice's approval, and no event.
    const waitedUntil =
      (durable.instances.get('rel-cut-off')?.customStatus as ReleaseStatus).stages[1]?.approval?.expiresAt ??
      '';
    const expiresAt = Date.parse(waitedUntil) / 1000;
    await decisionStore().record({
      releaseId: 'rel-cut-off',
      environment: 'qa',
      waitId: String(expiresAt),
      decision: 'approve',
      approver: 'alice@contoso.com',
      decidedAt: '2026-12-05T06:00:00.000Z',
      approverObjectId: ALICE_OID,
      principal: { authenticated: true, provider: 'aad', objectId: ALICE_OID, via: 'allowList' },
    });
    expect(durable.eventsFor('rel-cut-off')).toEqual([]);
    // Carol clicks reject on the same link: the stage is decided already, by alice; her approval goes through.
    const carol = await post(token, 'decision=reject', principal('carol@contoso.com'));
    expect(carol.status).toBe(409);
    expect(text(carol)).toContain('was already approved');
    expect(durable.eventsFor('rel-cut-off').map((e) => e.body)).toEqual([
      {
        decision: 'approve',
        approver: 'alice@contoso.com',
        decidedAt: '2026-12-05T06:00:00.000Z',
        approverObjectId: ALICE_OID,
        wait: { expiresAt },
      },
    ]);
    expect(logs.join('\n')).toContain('delivered the recorded approve of qa of release rel-cut-off');
    // Delivered now: another click sends nothing more.
    expect((await post(token, 'decision=approve', principal('carol@contoso.com'))).status).toBe(409);
    expect(durable.eventsFor('rel-cut-off')).toHaveLength(1);
    // The audit names alice with the claims her own request stored, not carol's.
    const trail = await new AuditStore(BlobServiceClient.fromConnectionString(azurite.connectionString)).read(
      'qa',
    );
    expect(trail.events.filter((e) => (e as { releaseId?: string }).releaseId === 'rel-cut-off')).toEqual([
      expect.objectContaining({
        kind: 'approval',
        decision: 'approve',
        approver: 'alice@contoso.com',
        principal: { authenticated: true, provider: 'aad', objectId: ALICE_OID, via: 'allowList' },
      }),
    ]);
  });

  it('answers with a readable page: no HTTP status line, the time in UTC, and a link onward to the release', async () => {
    const token = waitingFor('rel-readable', 'prod');
    const done = text(await post(token, 'decision=approve'));
    expect(done).toContain('Approved for Prod');
    expect(done).not.toMatch(/HTTP \d{3}/);
    expect(done).toMatch(/<dt>At<\/dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/dd>/);
    viewLinkOf(done, 'rel-readable');

    const again = text(await post(token, 'decision=reject'));
    expect(again).toContain('Prod of release rel-readable was already approved; the first decision counts.');
    expect(again).toContain('<dt>Decision</dt><dd>Approved</dd>');
    expect(again).toMatch(/<dt>At<\/dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/dd>/);
    expect(again).not.toMatch(/HTTP \d{3}/);
    viewLinkOf(again, 'rel-readable');
    // The GET page of a decided link says the same, with the same way onward.
    viewLinkOf(text(await get(token)), 'rel-readable');
  });

  it('accepts JSON and records a rejection with the signed-in user', async () => {
    const token = waitingFor('rel-reject', 'prod');
    const response = await post(
      token,
      JSON.stringify({ decision: 'reject', comment: 'wrong commit' }),
      principal('frank@contoso.com'),
      'application/json',
    );
    expect(response.status).toBe(200);
    expect(text(response)).toContain('Rejected for Prod');
    expect(durable.eventsFor('rel-reject').map((e) => e.body)).toMatchObject([
      { decision: 'reject', approver: 'frank@contoso.com', comment: 'wrong commit' },
    ]);
    expect(await decisionStore().read('rel-reject', 'prod')).toMatchObject({
      decision: 'reject',
      approver: 'frank@contoso.com',
      approverObjectId: '11111111-2222-4333-8444-555555555555',
      approverDisplayName: 'frank (display)',
      comment: 'wrong commit',
    });
  });

  it('lets only allow-listed approvers decide where the environment has a list', async () => {
    const token = waitingFor('rel-allow', 'qa');
    const stranger = await post(token, 'decision=approve', principal('mallory@contoso.com'));
    expect(stranger.status).toBe(403);
    expect(text(stranger)).toContain('mallory@contoso.com is not an approver for qa');
    const anonymous = await post(token, 'decision=approve');
    expect(anonymous.status).toBe(403);
    expect(durable.eventsFor('rel-allow')).toEqual([]);

    // The finding: a user whose UPN is mallory but whose e-mail claims (and name header) say alice.
    const disguised = principal('mallory@contoso.com', '99999999-8888-4777-8666-555555555555', [
      ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', 'alice@contoso.com'],
      ['email', 'alice@contoso.com'],
      ['preferred_username', 'alice@contoso.com'],
    ]);
    const mallory = await post(token, 'decision=approve', {
      ...disguised,
      'x-ms-client-principal-name': 'alice@contoso.com',
    });
    expect(mallory.status).toBe(403);
    expect(text(mallory)).toContain('mallory@contoso.com is not an approver for qa');
    expect(durable.eventsFor('rel-allow')).toEqual([]);
    expect(await decisionStore().read('rel-allow', 'qa')).toBeUndefined();

    const alice = await post(token, 'decision=approve', principal('alice@CONTOSO.com'));
    expect(alice.status).toBe(200);
    expect(durable.eventsFor('rel-allow').map((e) => e.body)).toMatchObject([
      { approver: 'alice@CONTOSO.com' },
    ]);
  });

  it.each([
    { name: 'malformed', status: 400, token: (): string => 'x.y' },
    {
      name: 'forged',
      status: 403,
      token: (): string =>
        createApprovalToken(
          { releaseId: 'rel-forged', environment: 'prod', expiresAt: nowSeconds() + HOUR },
          ['f'.repeat(40)],
        ),
    },
    {
      name: 'expired',
      status: 410,
      token: (): string => waitingFor('rel-expired', 'prod', { expiresAt: nowSeconds() - 1 }),
    },
  ])('answers a $name link with $status and raises nothing', async ({ token, status }) => {
    durable.instances.set('rel-forged', {
      runtimeStatus: 'Running',
      customStatus: waitingRelease('rel-forged', 'prod', nowSeconds() + HOUR),
    });
    const before = durable.raised.length;
    const response = await post(token(), 'decision=approve');
    expect(response.status).toBe(status);
    expect(durable.raised).toHaveLength(before);
  });

  it('refuses a link of an earlier wait of the same release', async () => {
    const oldLink = createApprovalToken(
      { releaseId: 'rel-rerun', environment: 'prod', expiresAt: nowSeconds() + HOUR },
      [KEY],
    );
    waitingFor('rel-rerun', 'prod', { expiresAt: nowSeconds() + 72 * HOUR });
    expect((await post(oldLink, 'decision=approve')).status).toBe(410);
    expect(durable.eventsFor('rel-rerun')).toEqual([]);
  });

  it.each([
    [
      'a cross-site form post',
      'decision=approve',
      { 'sec-fetch-site': 'cross-site' },
      'application/x-www-form-urlencoded',
      403,
    ],
    [
      'a foreign Origin',
      'decision=approve',
      { origin: 'https://evil.example' },
      'application/x-www-form-urlencoded',
      403,
    ],
    // A sandboxed frame or a no-referrer page elsewhere sends Origin: null.
    ['Origin null', 'decision=approve', { origin: 'null' }, 'application/x-www-form-urlencoded', 403],
    [
      'Origin null without Sec-Fetch-Site',
      'decision=approve',
      { origin: 'null', 'sec-fetch-site': '' },
      'application/x-www-form-urlencoded',
      403,
    ],
    [
      'a same-site (sibling subdomain) post',
      'decision=approve',
      { 'sec-fetch-site': 'same-site', origin: 'https://other.example.net' },
      'application/x-www-form-urlencoded',
      403,
    ],
    ['an unknown content type', 'decision=approve', {}, 'text/plain', 415],
    [
      'a body over 16 KB',
      `decision=approve&comment=${'x'.repeat(17_000)}`,
      {},
      'application/x-www-form-urlencoded',
      413,
    ],
    [
      'a comment over 1,000 characters',
      `decision=approve&comment=${'x'.repeat(1001)}`,
      {},
      'application/x-www-form-urlencoded',
      400,
    ],
    ['no decision', 'comment=hmm', {}, 'application/x-www-form-urlencoded', 400],
  ] as const)('refuses %s and raises nothing', async (name, body, headers, contentType, status) => {
    const releaseId = `rel-refuse-${name.replace(/\W+/g, '-')}`;
    const response = await post(waitingFor(releaseId, 'prod'), body, headers, contentType);
    expect(response.status).toBe(status);
    expect(durable.eventsFor(releaseId)).toEqual([]);
    expect(await decisionStore().read(releaseId, 'prod')).toBeUndefined();
  });

  it('accepts a post from the page itself (same origin)', async () => {
    const token = waitingFor('rel-same-origin', 'prod');
    const response = await post(token, 'decision=approve', {
      origin: PUBLIC_URL,
      'sec-fetch-site': 'same-origin',
    });
    expect(response.status).toBe(200);
    expect(durable.eventsFor('rel-same-origin')).toHaveLength(1);
  });

  it('raises nothing when the release is no longer waiting', async () => {
    const token = waitingFor('rel-finished', 'prod');
    durable.instances.set('rel-finished', {
      runtimeStatus: 'Terminated',
      customStatus: waitingRelease('rel-finished', 'prod', nowSeconds() + HOUR),
    });
    expect((await post(token, 'decision=approve')).status).toBe(409);
    durable.instances.delete('rel-finished');
    expect((await post(token, 'decision=approve')).status).toBe(404);
    expect(durable.eventsFor('rel-finished')).toEqual([]);
  });

  it('takes the decision back when the event cannot be raised, so that a retry works', async () => {
    const token = waitingFor('rel-retry', 'prod');
    durable.raiseFaults.push(500);
    const failed = await post(token, 'decision=approve');
    expect(failed.status).toBe(503);
    expect(failed.headers).toMatchObject({ 'Retry-After': '5' });
    expect(await decisionStore().read('rel-retry', 'prod')).toBeUndefined();
    const retried = await post(token, 'decision=approve');
    expect(retried.status).toBe(200);
    expect(durable.eventsFor('rel-retry')).toHaveLength(1);
  });

  it('exports registration options the lead passes to app.http', () => {
    expect(approvalPage).toMatchObject({
      route: 'approvals/{token}',
      methods: ['GET'],
      authLevel: 'anonymous',
    });
    expect(approvalDecision).toMatchObject({
      route: 'approvals/{token}',
      methods: ['POST'],
      authLevel: 'anonymous',
    });
    expect(approvalPage.extraInputs).toMatchObject([{ type: 'durableClient' }]);
    expect(approvalDecision.extraInputs).toMatchObject([{ type: 'durableClient' }]);
  });
});

describe('approval policies: quorum, approver groups, no self-approval', () => {
  const ALICE = principal('alice@contoso.com', '6f1d2c3b-0a9e-4c8d-9b7a-1e2f3a4b5c6d');
  const BOB = principal('bob@contoso.com', '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d');
  const MONA = principal('mona@contoso.com', '0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e');

  /** A waiting prod stage with `approval` extras, as the orchestration publishes it; the input names the requester. */
  function waitingWith(
    releaseId: string,
    extras: Partial<NonNullable<StageStatus['approval']>>,
    environment = 'prod',
    /** The stage's approval policy in the release's input (ReleaseInput.approvals). */
    policy: Partial<ReleaseInput['approvals'][string]> = {},
  ): string {
    const token = waitingFor(releaseId, environment);
    const instance = durable.instances.get(releaseId);
    const status = instance?.customStatus as ReleaseStatus;
    const stage = status.stages.find((st) => st.environment === environment);
    if (stage?.approval) Object.assign(stage.approval, extras);
    // The published status may drop who asked (boundReleaseStatus); the input keeps it.
    const source = status.source;
    status.source = { kind: source.kind };
    durable.instances.set(releaseId, {
      ...instance,
      runtimeStatus: 'Running',
      customStatus: status,
      input: { source, approvals: { [environment]: { required: true, timeoutInHours: 72, ...policy } } },
    });
    return token;
  }

  it('records one vote per approver until the quorum; the same approver twice counts once', async () => {
    const token = waitingWith('rel-quorum', { quorum: 2 });
    // An anonymous link holder cannot be one of two different approvers.
    const anonymous = await post(token, 'decision=approve');
    expect(anonymous.status).toBe(403);
    expect(text(anonymous)).toContain('prod needs 2 different approvers, so each must sign in');

    const alice = await post(token, 'decision=approve&comment=first', ALICE);
    expect(alice.status).toBe(200);
    expect(text(alice)).toContain('Approved for Prod');
    expect(text(alice)).toContain('Yours is approval 1 of 2: Prod deploys once 1 more approver(s) agree.');
    const again = await post(token, 'decision=reject', ALICE);
    expect(again.status).toBe(409);
    expect(text(again)).toContain(
      'You already approved Prod of release rel-quorum; each approver counts once.',
    );
    // Her own vote closes the page for her, and only for her.
    expect((await get(token, ALICE)).status).toBe(409);

    // The orchestration has counted alice: bob's page shows the count.
    const status = durable.instances.get('rel-quorum')?.customStatus as ReleaseStatus;
    const prod = status.stages.find((st) => st.environment === 'prod');
    if (prod?.approval)
      prod.approval.approvals = [{ approver: 'alice@contoso.com', decidedAt: '2026-11-25T10:00:00Z' }];
    const page = await get(token, BOB);
    expect(page.status).toBe(200);
    expect(text(page)).toContain(
      '<strong>2 different approvers</strong> must approve; one rejection is final.',
    );
    expect(text(page)).toContain('waiting for 1 of 2 approvals (approved by alice@contoso.com)');

    const bob = await post(token, 'decision=approve', BOB);
    expect(bob.status).toBe(200);
    expect(text(bob)).toContain('Yours is approval 2 of 2: the release continues to Prod.');
    expect(durable.eventsFor('rel-quorum').map((e) => e.body)).toEqual([
      expect.objectContaining({
        approver: 'alice@contoso.com',
        approverObjectId: '6f1d2c3b-0a9e-4c8d-9b7a-1e2f3a4b5c6d',
        comment: 'first',
      }),
      expect.objectContaining({
        approver: 'bob@contoso.com',
        approverObjectId: '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d',
      }),
    ]);
    // Each vote is its own record; the single-decision record of a quorum-less wait is never written.
    const store = decisionStore();
    expect(await store.read('rel-quorum', 'prod')).toBeUndefined();
    expect(await store.read('rel-quorum', 'prod', 'oid:6f1d2c3b-0a9e-4c8d-9b7a-1e2f3a4b5c6d')).toMatchObject({
      decision: 'approve',
      approver: 'alice@contoso.com',
      via: 'anyone',
    });
  });

  it('counts by the quorum in the release input when the published status lost the stage approval', async () => {
    // boundReleaseStatus's last level keeps no approval: the page must not take the quorum for 1.
    const token = waitingWith('rel-quorum-condensed', {}, 'prod', { quorum: 2 });
    const alice = await post(token, 'decision=approve', ALICE);
    expect(text(alice)).toContain('Yours is approval 1 of 2');
    const store = decisionStore();
    expect(await store.read('rel-quorum-condensed', 'prod')).toBeUndefined();
    expect(
      await store.read('rel-quorum-condensed', 'prod', 'oid:6f1d2c3b-0a9e-4c8d-9b7a-1e2f3a4b5c6d'),
    ).toMatchObject({ approver: 'alice@contoso.com' });
    expect((await post(token, 'decision=approve', BOB)).status).toBe(200);
    expect(durable.eventsFor('rel-quorum-condensed')).toHaveLength(2);
  });

  it('refuses the pusher with the reason, records nothing, and says so on the page', async () => {
    const token = waitingWith('rel-self', { noSelfApproval: true });
    const page = await get(token, MONA);
    expect(page.status).toBe(200);
    const html = text(page);
    expect(html).toContain(
      'No self-approval: <strong>mona</strong>, who pushed this commit, cannot approve it.',
    );
    expect(html).toContain('You pushed this commit; someone else must approve.');
    expect(html).toContain('value="approve" class="approve" disabled');

    const refused = await post(token, 'decision=approve', MONA);
    expect(refused.status).toBe(403);
    expect(text(refused)).toContain('You pushed this commit; someone else must approve.');
    expect(durable.eventsFor('rel-self')).toEqual([]);
    expect(await decisionStore().read('rel-self', 'prod')).toBeUndefined();

    const bob = await post(token, 'decision=approve', BOB);
    expect(bob.status).toBe(200);
    expect(durable.eventsFor('rel-self')).toHaveLength(1);
  });

  it('refuses the pusher on the last environment by default, from the settings alone', async () => {
    // No flag on the stage (a release started before the policy): BRICKLANE_PROD_ALLOW_SELF_APPROVAL defaults to false.
    const refused = await post(waitingWith('rel-self-default', {}), 'decision=approve', MONA);
    expect(refused.status).toBe(403);
    expect(text(refused)).toContain('You pushed this commit');
    // QA is not the last environment: there the pusher may approve (mona is in the QA group).
    const qa = await post(
      waitingWith('rel-self-qa', {}, 'qa'),
      'decision=approve',
      principal('mona@contoso.com', '0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e', [['groups', RELEASE_MANAGERS]]),
    );
    expect(qa.status).toBe(200);
  });

  it('lets a member of an approver group decide, recording which group let them in', async () => {
    const token = waitingFor('rel-group', 'qa');
    const member = principal('dana@contoso.com', '33334444-5555-4666-8777-888899990000', [
      ['groups', '11112222-3333-4444-8555-666677778888'],
      ['groups', RELEASE_MANAGERS],
    ]);
    const response = await post(token, 'decision=approve', member);
    expect(response.status).toBe(200);
    expect(await decisionStore().read('rel-group', 'qa')).toMatchObject({
      approver: 'dana@contoso.com',
      approverObjectId: '33334444-5555-4666-8777-888899990000',
      via: `group:${RELEASE_MANAGERS}`,
    });
    const outsider = await post(
      waitingFor('rel-group-out', 'qa'),
      'decision=approve',
      principal('erin@contoso.com'),
    );
    expect(outsider.status).toBe(403);
  });
});
