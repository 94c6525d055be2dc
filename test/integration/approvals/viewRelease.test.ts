// GET /api/views/{token}: a signed, expiring view link shows one release without the function key (its page
// links to the waiting stage's approval page and to the list, its JSON carries no approval link); GET /api/releases/{id} refuses ids the Durable extension would not accept.
import {
  HttpRequest,
  InvocationContext,
  type HttpFunctionOptions,
  type HttpResponseInit,
} from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApprovalToken,
  createListViewToken,
  createViewToken,
  RELEASE_ID_RULE,
  verifyApprovalToken,
  verifyListViewToken,
  verifyViewToken,
  viewUrl,
} from '../../../src/approvals/approvalToken';
import { getReleaseOptions as getRelease } from '../../../src/functions/getRelease';
import { viewReleaseOptions as viewRelease } from '../../../src/functions/viewRelease';
import type { ReleaseStatus } from '../../../src/release/ReleaseStatus';
import { Azurite } from '../../emulator/Azurite';
import { FakeDurableApi } from '../../emulator/FakeDurableApi';

const KEY = 'view-test-key-0123456789abcdef0123456789abcd';
const PUBLIC_URL = 'https://bricklane.example.net';
const SUB = '00000000-0000-0000-0000-000000000001';
const HOUR = 3600;
const inHours = (hours: number): number => Math.floor(Date.now() / 1000) + hours * HOUR;

let azurite: Azurite;
let durable: FakeDurableApi;

function context(options: HttpFunctionOptions): InvocationContext {
  const ctx = new InvocationContext({
    functionName: 'viewTest',
    options: { extraInputs: options.extraInputs ?? [] },
    logHandler: () => undefined,
  });
  const input = options.extraInputs?.[0];
  if (!input) throw new Error('the function has no durable client input');
  ctx.extraInputs.set(input, durable.clientData);
  return ctx;
}

async function view(token: string, accept = 'application/json'): Promise<HttpResponseInit> {
  const request = new HttpRequest({
    method: 'GET',
    url: viewUrl(PUBLIC_URL, token),
    headers: { accept },
    params: { token },
  });
  return viewRelease.handler(request, context(viewRelease)) as Promise<HttpResponseInit>;
}

function waiting(releaseId: string): ReleaseStatus {
  return {
    releaseId,
    bundleId: 'a'.repeat(64),
    source: { kind: 'manual', requestedBy: 'function key holder' },
    state: 'waiting',
    startedAt: '2026-12-04T09:00:00Z',
    stages: [
      { environment: 'dev', state: 'succeeded' },
      {
        environment: 'qa',
        state: 'waiting',
        approval: { required: true, expiresAt: '2099-01-01T00:00:00Z' },
      },
    ],
  };
}

beforeAll(async () => {
  [azurite, durable] = await Promise.all([Azurite.start(), FakeDurableApi.start()]);
  Object.assign(process.env, {
    BRICKLANE_ENVIRONMENTS: 'dev,qa',
    BRICKLANE_DEV_SUBSCRIPTION_ID: SUB,
    BRICKLANE_QA_SUBSCRIPTION_ID: SUB,
    BRICKLANE_LEDGER_CONNECTION: azurite.connectionString,
    BRICKLANE_APPROVAL_SIGNING_KEYS: KEY,
    BRICKLANE_PUBLIC_URL: PUBLIC_URL,
  });
  durable.instances.set('release-viewed', {
    runtimeStatus: 'Running',
    customStatus: waiting('release-viewed'),
  });
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), durable?.stop()]);
});

describe('GET /api/views/{token}', () => {
  const token = (): string => createViewToken({ releaseId: 'release-viewed', expiresAt: inHours(1) }, [KEY]);

  it('answers the release for a valid view link: JSON without approval links, the page with them', async () => {
    const json = await view(token());
    expect(json.status).toBe(200);
    const body = json.jsonBody as ReleaseStatus & { stages: Array<{ approvalUrl?: string }> };
    expect(body.releaseId).toBe('release-viewed');
    expect(body.stages[1]).toMatchObject({ environment: 'qa', state: 'waiting' });
    expect(body.stages[1]?.approvalUrl).toBeUndefined();

    const link = token();
    const page = await view(link, 'text/html');
    expect(page.status).toBe(200);
    const html = String(page.body);
    // The waiting stage links to its approval page: the signed link the notification sent, for this stage.
    const approvalHrefs = [
      ...html.matchAll(/href="https:\/\/bricklane\.example\.net\/api\/approvals\/([^"]+)"/g),
    ];
    expect(approvalHrefs.length).toBeGreaterThan(0);
    for (const [, approval = ''] of approvalHrefs) {
      expect(verifyApprovalToken(approval, [KEY], new Date())).toMatchObject({
        ok: true,
        claims: { releaseId: 'release-viewed', environment: 'qa' },
      });
    }
    expect(html).toContain(`href="${viewUrl(PUBLIC_URL, link)}?format=json"`);
    // "All releases" is a fresh list view link: it opens the list, never a release or an approval.
    const [, listToken = ''] =
      /<a href="https:\/\/bricklane\.example\.net\/api\/views\/([^"]+)">All releases<\/a>/.exec(html) ?? [];
    expect(verifyListViewToken(listToken, [KEY], new Date())).toMatchObject({ ok: true });
    expect(verifyViewToken(listToken, [KEY], new Date())).toMatchObject({ ok: false });
    expect(html).not.toContain('code=');
  });

  it.each([
    [
      'expired',
      (): string => createViewToken({ releaseId: 'release-viewed', expiresAt: inHours(-1) }, [KEY]),
      410,
    ],
    [
      'signed with another key',
      (): string => createViewToken({ releaseId: 'release-viewed', expiresAt: inHours(1) }, ['f'.repeat(40)]),
      403,
    ],
    [
      'an approval link',
      (): string =>
        createApprovalToken({ releaseId: 'release-viewed', environment: 'qa', expiresAt: inHours(1) }, [KEY]),
      403,
    ],
    ['an expired list link', (): string => createListViewToken({ expiresAt: inHours(-1) }, [KEY]), 410],
    [
      'a list link signed with another key',
      (): string => createListViewToken({ expiresAt: inHours(1) }, ['f'.repeat(40)]),
      403,
    ],
    ['damaged', (): string => 'not-a-token', 400],
  ] as const)('refuses a view link that is %s (%i), naming the field', async (_name, make, status) => {
    const json = await view(make());
    expect(json.status).toBe(status);
    expect(json.jsonBody).toMatchObject({
      field: 'token',
      error: expect.stringContaining('status page link'),
    });
    const page = await view(make(), 'text/html');
    expect(page.status).toBe(status);
    expect(String(page.body)).not.toContain('release-viewed');
  });

  it('answers 404 for a release that does not exist', async () => {
    const gone = createViewToken({ releaseId: 'release-gone', expiresAt: inHours(1) }, [KEY]);
    expect((await view(gone)).status).toBe(404);
    // Its page links onward to the list with a signed list view link, never the key-guarded route.
    const page = String((await view(gone, 'text/html')).body);
    const [, listToken = ''] =
      /<a href="https:\/\/bricklane\.example\.net\/api\/views\/([^"]+)">All releases<\/a>/.exec(page) ?? [];
    expect(verifyListViewToken(listToken, [KEY], new Date())).toMatchObject({ ok: true });
  });

  it('is anonymous: the signed token is the credential', () => {
    expect(viewRelease).toMatchObject({ route: 'views/{token}', methods: ['GET'], authLevel: 'anonymous' });
  });
});

describe('GET /api/releases/{id}', () => {
  it.each(['a/b', 'release?x=1', 'release#x', '@release', 'release\u0007', 'r'.repeat(129)])(
    'refuses the id %j with 400 { error, field: id, rule } before any lookup',
    async (id) => {
      const request = new HttpRequest({
        method: 'GET',
        url: `${PUBLIC_URL}/api/releases/x`,
        headers: { accept: 'application/json' },
        params: { id },
      });
      const response = (await getRelease.handler(request, context(getRelease))) as HttpResponseInit;
      expect(response.status).toBe(400);
      expect(response.jsonBody).toMatchObject({
        field: 'id',
        rule: RELEASE_ID_RULE,
        error: expect.stringMatching(/^id: /),
      });
    },
  );
});
