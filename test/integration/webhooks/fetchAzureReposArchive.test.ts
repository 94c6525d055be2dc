// fetchAzureReposArchive against the emulated Azure DevOps items endpoint over HTTPS: a PAT (Basic) or the
// app identity's Entra token (Bearer), the sign-in page Azure DevOps answers bad credentials with, and
// messages that name the setting to fix and never the secret.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { openPromise } from 'yauzl';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchAzureReposArchive } from '../../../src/sources/fetchAzureReposArchive';
import { SourceFetchError } from '../../../src/sources/SourceFetchError';
import { SourceHostEmulator } from '../../emulator/SourceHostEmulator';

const ARTIFACTS = resolve(__dirname, '..', '..', '..', 'artifacts');
const COMMIT = '33b55f7cb7e7e245323987634f960cf4a6e6bc74';
const REPOSITORY_ID = '278d5cd2-584d-4b63-824a-2ba458937249';
const PAT = 'pat52charactersxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
const APP_OID = '7d4c1b2a-0000-4000-8000-00000000a11e';

let emulator: SourceHostEmulator;
let work: string;
let n = 0;
const dest = (): string => join(work, `archive-${++n}.zip`);

/** A credential that hands out emulator tokens and records the scopes asked for. */
class RecordingCredential implements TokenCredential {
  readonly scopes: string[] = [];
  constructor(private readonly token: () => string) {}
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    return { token: this.token(), expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

const noCredential = (): TokenCredential => {
  throw new Error('the PAT path must not ask for the app identity');
};

function settings(options: { pat?: string; organization?: string } = {}) {
  return {
    organizationUrl: emulator.organizationUrl(options.organization ?? 'fabrikam'),
    ...(options.pat ? { pat: options.pat } : {}),
  };
}

async function failure(promise: Promise<unknown>): Promise<SourceFetchError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SourceFetchError))
    throw new Error(`expected a SourceFetchError, got ${String(error)}`);
  return error;
}

async function zipEntries(file: string): Promise<string[]> {
  // Lazy entries: with eager ones, yauzl may emit them before the promise resolves and listeners exist.
  const zip = await openPromise(file, { lazyEntries: true });
  const names: string[] = [];
  await new Promise<void>((done, fail) => {
    zip.on('entry', (entry: { fileName: string }) => {
      names.push(entry.fileName);
      zip.readEntry();
    });
    zip.on('end', () => done());
    zip.on('error', fail);
    zip.readEntry();
  });
  zip.close();
  return names;
}

beforeAll(async () => {
  emulator = await SourceHostEmulator.start();
  work = await mkdtemp(join(tmpdir(), 'bricklane-fetch-azure-'));
  emulator.addAzureRepo({
    organization: 'fabrikam',
    project: 'Fabrikam Fiber',
    projectId: '6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c',
    repositoryId: REPOSITORY_ID,
    name: 'Fabrikam-Fiber-Git',
    pats: [PAT],
    identities: [APP_OID],
    commits: { [COMMIT]: { 'README.md': '# fabrikam\n', artifacts: { dir: ARTIFACTS } } },
  });
});

afterAll(async () => {
  await emulator?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

beforeEach(() => {
  emulator.reset();
  emulator.azureBadAuthAnswer = 203;
});

describe('fetchAzureReposArchive', () => {
  it('downloads the commit as a zip with a PAT (Basic, empty user name)', async () => {
    const file = dest();
    const fetched = await fetchAzureReposArchive(
      settings({ pat: PAT }),
      noCredential,
      'Fabrikam Fiber',
      REPOSITORY_ID,
      COMMIT,
      file,
    );
    expect(fetched).toEqual({ bytes: (await stat(file)).size, format: 'zip' });
    const names = await zipEntries(file);
    expect(names).toContain('README.md');
    expect(names).toContain('artifacts/clusters/small.json');
    const [request] = emulator.requestsTo('azureDevOps');
    expect(request?.path).toBe(`/fabrikam/Fabrikam%20Fiber/_apis/git/repositories/${REPOSITORY_ID}/items`);
    expect(Object.fromEntries(request?.query ?? [])).toEqual({
      path: '/',
      'versionDescriptor.version': COMMIT,
      'versionDescriptor.versionType': 'commit',
      $format: 'zip',
      download: 'true',
      'api-version': '7.1',
    });
    expect(request?.authorization).toBe(`Basic ${Buffer.from(`:${PAT}`).toString('base64')}`);
  });

  it("uses the app identity's Entra token for Azure DevOps when no PAT is set", async () => {
    const credential = new RecordingCredential(() => SourceHostEmulator.entraToken({ oid: APP_OID }));
    const file = dest();
    await fetchAzureReposArchive(settings(), () => credential, 'Fabrikam Fiber', REPOSITORY_ID, COMMIT, file);
    expect(credential.scopes).toEqual(['499b84ac-1321-427f-aa17-267ca6975798/.default']);
    const [request] = emulator.requestsTo('azureDevOps');
    expect(request?.authorization).toMatch(/^Bearer ey/);
    expect(request?.status).toBe(200);
    expect(await zipEntries(file)).toContain('artifacts/jobs/nightly-etl.json');
  });

  it('explains an identity that is not in the organization or lacks access (404 TF401019)', async () => {
    const credential = new RecordingCredential(() => SourceHostEmulator.entraToken({ oid: 'someone-else' }));
    const error = await failure(
      fetchAzureReposArchive(settings(), () => credential, 'Fabrikam Fiber', REPOSITORY_ID, COMMIT, dest()),
    );
    expect([error.code, error.permanent]).toEqual(['SourceNotFound', true]);
    expect(error.message).toBe(
      `azure repos: Fabrikam Fiber/${REPOSITORY_ID}@33b55f7cb7e7 in ${emulator.organizationUrl('fabrikam')} was ` +
        "not found: the project, repository or commit does not exist, or the Function App's identity lacks " +
        `Code (Read) on the repository (Azure DevOps said: TF401019: The Git repository with name or identifier ` +
        `${REPOSITORY_ID} does not exist or you do not have permissions for the operation you are attempting.)`,
    );
  });

  const signInAnswers: (203 | 302 | 401)[] = [203, 302, 401];
  it.each(signInAnswers)(
    'reports a refused PAT (answered %s) naming the setting, never the PAT',
    async (answer) => {
      emulator.azureBadAuthAnswer = answer;
      const wrong = 'wrongpat0123456789';
      const error = await failure(
        fetchAzureReposArchive(
          settings({ pat: wrong }),
          noCredential,
          'Fabrikam Fiber',
          REPOSITORY_ID,
          COMMIT,
          dest(),
        ),
      );
      expect([error.code, error.permanent]).toEqual(['SourceUnauthorized', true]);
      expect(error.message).toBe(
        `azure repos: ${emulator.organizationUrl('fabrikam')} did not accept BRICKLANE_AZURE_DEVOPS_PAT (answered ` +
          `${answer} with a sign-in page): the PAT is wrong, expired or not valid for this organization; create one ` +
          'with Code (Read) scope',
      );
      expect(error.message).not.toContain(wrong);
      expect(error.message).not.toContain(Buffer.from(`:${wrong}`).toString('base64'));
      // The 302 to the sign-in host is an answer, not followed.
      expect(emulator.requests).toHaveLength(1);
    },
  );

  it('reports an expired Entra token as a refused identity, with what to do', async () => {
    const credential = new RecordingCredential(() =>
      SourceHostEmulator.entraToken({ oid: APP_OID, expiresInSeconds: -60 }),
    );
    const error = await failure(
      fetchAzureReposArchive(settings(), () => credential, 'Fabrikam Fiber', REPOSITORY_ID, COMMIT, dest()),
    );
    expect(error.code).toBe('SourceUnauthorized');
    expect(error.message).toContain(
      "did not accept the Function App's identity (answered 203 with a sign-in page)",
    );
    expect(error.message).toContain('or set BRICKLANE_AZURE_DEVOPS_PAT');
  });

  it('explains an unknown commit (404 TF401175)', async () => {
    const error = await failure(
      fetchAzureReposArchive(
        settings({ pat: PAT }),
        noCredential,
        'Fabrikam Fiber',
        REPOSITORY_ID,
        'e'.repeat(40),
        dest(),
      ),
    );
    expect(error.code).toBe('SourceNotFound');
    expect(error.message).toContain('TF401175: The version descriptor <Commit: eeeeeeeeee');
    expect(error.message).toContain('or BRICKLANE_AZURE_DEVOPS_PAT lacks Code (Read) on the repository');
    expect(error.message).not.toContain(PAT);
  });

  it('finds the repository by project id as well as by name', async () => {
    await fetchAzureReposArchive(
      settings({ pat: PAT }),
      noCredential,
      '6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c',
      REPOSITORY_ID,
      COMMIT,
      dest(),
    );
    expect(emulator.requestsTo('azureDevOps')[0]?.status).toBe(200);
  });

  it('treats 503 and 429 as transient', async () => {
    for (const status of [503, 429]) {
      emulator.failNext('azureDevOps', status);
      const file = dest();
      const error = await failure(
        fetchAzureReposArchive(
          settings({ pat: PAT }),
          noCredential,
          'Fabrikam Fiber',
          REPOSITORY_ID,
          COMMIT,
          file,
        ),
      );
      expect([error.code, error.permanent]).toEqual(['SourceUnavailable', false]);
      expect(existsSync(file)).toBe(false);
    }
    expect(emulator.countersOf('azureDevOps').faults).toBe(2);
  });

  it('needs the organization setting', async () => {
    const error = await failure(
      fetchAzureReposArchive({ pat: PAT }, noCredential, 'Fabrikam Fiber', REPOSITORY_ID, COMMIT, dest()),
    );
    expect([error.code, error.permanent]).toEqual(['SourceForbidden', true]);
    expect(error.message).toBe(
      'azure repos: BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL is not set: set it to https://dev.azure.com/<organization>',
    );
  });

  it('tells a missing identity (permanent) from a failing token endpoint (transient)', async () => {
    const failing =
      (name: string): (() => TokenCredential) =>
      () => ({
        getToken: async () => {
          throw Object.assign(new Error('no token'), { name });
        },
      });
    const missing = await failure(
      fetchAzureReposArchive(
        settings(),
        failing('CredentialUnavailableError'),
        'p',
        REPOSITORY_ID,
        COMMIT,
        dest(),
      ),
    );
    expect([missing.code, missing.permanent]).toEqual(['SourceUnauthorized', true]);
    expect(missing.message).toContain('enable its managed identity or set BRICKLANE_AZURE_DEVOPS_PAT');
    const flaky = await failure(
      fetchAzureReposArchive(settings(), failing('AuthenticationError'), 'p', REPOSITORY_ID, COMMIT, dest()),
    );
    expect(flaky.permanent).toBe(false);
    expect(emulator.requests).toHaveLength(0);
  });
  // Issue 10: a project named `..` built https://dev.azure.com/fabrikam/../_apis/..., which URL parsing
  // normalizes to https://dev.azure.com/_apis/... (out of the organization), and the token went with it.
  it.each(['..', '.', '%2e%2e', '.%2E', '../other-org', 'https:', 'a/b', '_apis', ''])(
    'refuses project %j before asking for a token or sending anything',
    async (project) => {
      const credential = new RecordingCredential(() => SourceHostEmulator.entraToken({ oid: APP_OID }));
      const sent: string[] = [];
      const recording: typeof fetch = async (input, init) => {
        sent.push(String(input instanceof Request ? input.url : input));
        return fetch(input, init);
      };
      for (const options of [{ pat: PAT }, {}]) {
        const error = await failure(
          fetchAzureReposArchive(
            settings(options),
            () => credential,
            project,
            REPOSITORY_ID,
            COMMIT,
            dest(),
            { fetch: recording },
          ),
        );
        expect(error.permanent).toBe(true);
        expect(['SourceNotFound', 'SourceForbidden']).toContain(error.code);
      }
      expect(sent).toEqual([]);
      expect(credential.scopes).toEqual([]);
      expect(emulator.requests).toHaveLength(0);
    },
  );
});
