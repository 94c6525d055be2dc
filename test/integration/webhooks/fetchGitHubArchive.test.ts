// fetchGitHubArchive against the emulated GitHub API and codeload over HTTPS: the 302 to another origin
// is followed without the token, failures name the setting to fix and never the token itself.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { list } from 'tar';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchGitHubArchive } from '../../../src/sources/fetchGitHubArchive';
import { SourceFetchError } from '../../../src/sources/SourceFetchError';
import { SourceHostEmulator } from '../../emulator/SourceHostEmulator';

const ARTIFACTS = resolve(__dirname, '..', '..', '..', 'artifacts');
const COMMIT = '3f2a9c1d5e7b8a0c4d6e8f1a2b3c4d5e6f708192';
const TOKEN = 'ghp_private0123456789abcdefABCDEF012345';
const OTHER_TOKEN = 'ghp_other0123456789abcdefABCDEF0123456';

let emulator: SourceHostEmulator;
let work: string;
let n = 0;
const dest = (): string => join(work, `archive-${++n}.tar.gz`);
const settings = (token?: string) => ({ apiUrl: emulator.githubApiUrl, ...(token ? { token } : {}) });

async function failure(promise: Promise<unknown>): Promise<SourceFetchError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SourceFetchError))
    throw new Error(`expected a SourceFetchError, got ${String(error)}`);
  return error;
}

async function entries(file: string): Promise<string[]> {
  const paths: string[] = [];
  await list({ file, onReadEntry: (entry) => paths.push(`${entry.type}:${entry.path}`) });
  return paths;
}

beforeAll(async () => {
  emulator = await SourceHostEmulator.start();
  work = await mkdtemp(join(tmpdir(), 'bricklane-fetch-github-'));
  const tree = { 'README.md': '# contoso etl\n', artifacts: { dir: ARTIFACTS } };
  emulator.addGitHubRepo('contoso/etl', { commits: { [COMMIT]: tree } });
  emulator.addGitHubRepo('contoso/private-etl', {
    private: true,
    tokens: [TOKEN],
    commits: { [COMMIT]: tree },
  });
  emulator.addGitHubRepo('contoso/elsewhere', { private: true, tokens: [OTHER_TOKEN], commits: {} });
});

afterAll(async () => {
  await emulator?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

beforeEach(() => emulator.reset());

describe('fetchGitHubArchive', () => {
  it('downloads a public repository without a token, through the redirect to codeload', async () => {
    const file = dest();
    const fetched = await fetchGitHubArchive(settings(), 'contoso/etl', COMMIT, file);
    expect(fetched).toEqual({ bytes: (await stat(file)).size, format: 'tar.gz' });
    // As git archive writes it: a global pax header first, whose comment is the commit (tar's list applies
    // such headers instead of listing them, so read the first block itself).
    const raw = gunzipSync(await readFile(file));
    expect(raw.subarray(0, 17).toString()).toBe('pax_global_header');
    expect(String.fromCharCode(raw[156] ?? 0)).toBe('g');
    expect(raw.subarray(512, 564).toString()).toBe(`52 comment=${COMMIT}\n`);
    const paths = await entries(file);
    expect(paths[0]).toBe('Directory:contoso-etl-3f2a9c1/');
    expect(paths).toContain('Directory:contoso-etl-3f2a9c1/');
    expect(paths).toContain('File:contoso-etl-3f2a9c1/README.md');
    expect(paths).toContain('File:contoso-etl-3f2a9c1/artifacts/clusters/small.json');
    const api = emulator.requestsTo('github');
    expect(api.map((r) => [r.path, r.status])).toEqual([
      [`/api/v3/repos/contoso/etl/tarball/${COMMIT}`, 302],
    ]);
    expect(api[0]?.authorization).toBeUndefined();
    expect(api[0]?.userAgent).toBe('bricklane');
    expect(emulator.requestsTo('codeload').map((r) => r.status)).toEqual([200]);
  });

  it('sends the token to the API only, never to codeload (another origin)', async () => {
    const file = dest();
    await fetchGitHubArchive(settings(TOKEN), 'contoso/private-etl', COMMIT, file);
    const [api] = emulator.requestsTo('github');
    expect(api?.authorization).toBe(`Bearer ${TOKEN}`);
    const codeload = emulator.requestsTo('codeload');
    expect(codeload).toHaveLength(1);
    expect(codeload[0]?.status).toBe(200);
    expect(codeload[0]?.authorization).toBeUndefined();
    // The redirect carried codeload's own token instead.
    expect(codeload[0]?.query.get('token')).toMatch(/^GHSAT/);
    expect(emulator.countersOf('codeload').total).toBe(1);
  });

  it('explains a private repository fetched without a token (404)', async () => {
    const error = await failure(fetchGitHubArchive(settings(), 'contoso/private-etl', COMMIT, dest()));
    expect(error.code).toBe('SourceNotFound');
    expect(error.permanent).toBe(true);
    expect(error.message).toBe(
      `github: contoso/private-etl@3f2a9c1d5e7b was not found at ${emulator.githubApiUrl}: the repository or ` +
        'commit does not exist, or it is private and BRICKLANE_GITHUB_TOKEN is not set (set a token with ' +
        'Contents: read) (GitHub said: Not Found)',
    );
  });

  it('explains a token that cannot see the repository (404)', async () => {
    const error = await failure(
      fetchGitHubArchive(settings(OTHER_TOKEN), 'contoso/private-etl', COMMIT, dest()),
    );
    expect(error.code).toBe('SourceNotFound');
    expect(error.message).toContain(
      'or BRICKLANE_GITHUB_TOKEN cannot read it (it needs Contents: read on this repository)',
    );
    expect(error.message).not.toContain(OTHER_TOKEN);
  });

  it('explains an unknown commit (404)', async () => {
    const error = await failure(fetchGitHubArchive(settings(), 'contoso/etl', 'f'.repeat(40), dest()));
    expect(error.code).toBe('SourceNotFound');
    expect(error.message).toContain('contoso/etl@ffffffffffff was not found');
  });

  it('names BRICKLANE_GITHUB_TOKEN when GitHub refuses it (401), without the token', async () => {
    const bad = 'ghp_revoked0123456789abcdefABCDEF01234';
    const error = await failure(fetchGitHubArchive(settings(bad), 'contoso/etl', COMMIT, dest()));
    expect(error.code).toBe('SourceUnauthorized');
    expect(error.permanent).toBe(true);
    expect(error.message).toBe(
      `github: ${emulator.githubApiUrl} refused BRICKLANE_GITHUB_TOKEN (401): it is wrong, expired or revoked; ` +
        'set a valid token (GitHub said: Bad credentials)',
    );
    expect(error.message).not.toContain(bad);
  });

  it('treats server errors of the API and of codeload as transient', async () => {
    emulator.failNext('github', 502);
    const api = await failure(fetchGitHubArchive(settings(), 'contoso/etl', COMMIT, dest()));
    expect([api.code, api.permanent]).toEqual(['SourceUnavailable', false]);
    emulator.failNext('codeload', 503);
    const file = dest();
    const codeload = await failure(fetchGitHubArchive(settings(), 'contoso/etl', COMMIT, file));
    expect([codeload.code, codeload.permanent]).toEqual(['SourceUnavailable', false]);
    expect(existsSync(file)).toBe(false);
  });

  it('stops at the size cap and leaves no partial file', async () => {
    const file = dest();
    const error = await failure(
      fetchGitHubArchive(settings(), 'contoso/etl', COMMIT, file, { maxBytes: 1024 }),
    );
    expect(error.code).toBe('SourceTooLarge');
    expect(error.permanent).toBe(true);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses names that would escape the API path before any request', async () => {
    const error = await failure(fetchGitHubArchive(settings(), 'contoso/..', COMMIT, dest()));
    expect(error.message).toBe('github: "contoso/.." is not an owner/repository name');
    expect(emulator.requests).toHaveLength(0);
  });
});
