// The GitHub fetcher's handling of answers the emulator does not produce, with an injected fetch: redirects
// that must not be followed, throttling, and a network that fails.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchGitHubArchive } from '../../../src/sources/fetchGitHubArchive';
import { SourceFetchError } from '../../../src/sources/SourceFetchError';

const API = 'https://api.github.example';
const COMMIT = 'a'.repeat(40);
const TOKEN = 'ghp_secret0123456789';

interface Seen {
  url: string;
  headers: Headers;
}

/** A fetch answering call n with answers[n] (a Response, an error to throw, or a function of the request). */
function scripted(answers: (Response | Error | ((seen: Seen) => Response))[]): {
  fetch: typeof fetch;
  seen: Seen[];
} {
  const seen: Seen[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request: Seen = { url: String(input), headers: new Headers(init?.headers) };
    seen.push(request);
    const answer = answers[seen.length - 1];
    if (answer === undefined) throw new Error('unexpected request');
    if (answer instanceof Error) throw answer;
    return typeof answer === 'function' ? answer(request) : answer;
  };
  return { fetch: fake as typeof fetch, seen };
}

const redirect = (location: string, status = 302): Response =>
  new Response(null, { status, headers: { location } });

let work: string;
let n = 0;
const dest = (): string => join(work, `a-${++n}.tar.gz`);

async function failure(promise: Promise<unknown>): Promise<SourceFetchError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SourceFetchError))
    throw new Error(`expected a SourceFetchError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bricklane-github-unit-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('fetchGitHubArchive (injected fetch)', () => {
  it('asks for the tarball with the API version, a User-Agent and the token', async () => {
    const { fetch, seen } = scripted([new Response('tgz', { status: 200 })]);
    await fetchGitHubArchive({ apiUrl: API, token: TOKEN }, 'Contoso/ETL.repo', COMMIT, dest(), { fetch });
    expect(seen[0]?.url).toBe(`${API}/repos/Contoso/ETL.repo/tarball/${COMMIT}`);
    expect(Object.fromEntries(seen[0]?.headers ?? [])).toEqual({
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'bricklane',
      authorization: `Bearer ${TOKEN}`,
    });
  });

  it('keeps the token on a same-origin redirect and drops it on a cross-origin one', async () => {
    const { fetch, seen } = scripted([
      redirect(`/repos/contoso/etl/tarball/${COMMIT}?moved=1`, 301),
      redirect('https://codeload.github.example/contoso/etl/legacy.tar.gz/x?token=abc'),
      new Response('tgz'),
    ]);
    await fetchGitHubArchive({ apiUrl: API, token: TOKEN }, 'contoso/etl', COMMIT, dest(), { fetch });
    expect(seen.map((s) => s.headers.get('authorization'))).toEqual([
      `Bearer ${TOKEN}`,
      `Bearer ${TOKEN}`,
      null,
    ]);
    expect(seen[2]?.headers.get('user-agent')).toBe('bricklane');
  });

  it('refuses a redirect to plain http, naming only the origin', async () => {
    const { fetch, seen } = scripted([redirect('http://codeload.github.example/x?token=leak')]);
    const error = await failure(
      fetchGitHubArchive({ apiUrl: API }, 'contoso/etl', COMMIT, dest(), { fetch }),
    );
    expect(error.message).toBe(
      'github: refused a redirect from https://api.github.example to the non-HTTPS http://codeload.github.example',
    );
    expect(error.permanent).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('stops after five redirects', async () => {
    const { fetch } = scripted(Array.from({ length: 7 }, (_, i) => redirect(`${API}/hop/${i}`)));
    const error = await failure(
      fetchGitHubArchive({ apiUrl: API }, 'contoso/etl', COMMIT, dest(), { fetch }),
    );
    expect(error.message).toBe('github: more than 5 redirects, the last to https://api.github.example');
  });

  it('treats an exhausted rate limit (403 with x-ratelimit-remaining: 0) as transient', async () => {
    const { fetch } = scripted([
      Response.json(
        { message: 'API rate limit exceeded for 203.0.113.7.' },
        { status: 403, headers: { 'x-ratelimit-remaining': '0' } },
      ),
    ]);
    const error = await failure(
      fetchGitHubArchive({ apiUrl: API }, 'contoso/etl', COMMIT, dest(), { fetch }),
    );
    expect([error.code, error.permanent]).toEqual(['SourceUnavailable', false]);
    expect(error.message).toBe(
      'github: contoso/etl@aaaaaaaaaaaa: rate limited (403); will retry (GitHub said: API rate limit exceeded for 203.0.113.7.)',
    );
  });

  it('treats a plain 403 as a permission to grant, naming the token setting', async () => {
    const { fetch } = scripted([
      Response.json(
        { message: `Resource protected by organization SAML enforcement (${TOKEN})` },
        { status: 403 },
      ),
    ]);
    const error = await failure(
      fetchGitHubArchive({ apiUrl: API, token: TOKEN }, 'contoso/etl', COMMIT, dest(), { fetch }),
    );
    expect([error.code, error.permanent]).toEqual(['SourceForbidden', true]);
    expect(error.message).toContain('BRICKLANE_GITHUB_TOKEN may not download this repository (403)');
    // Echoed secrets are masked.
    expect(error.message).toContain('SAML enforcement (***)');
    expect(error.message).not.toContain(TOKEN);
  });

  const network: [string, Error, boolean][] = [
    ['a reset connection', new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }), false],
    ['a refused connection', new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }), false],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), false],
    ['an unknown host', new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } }), true],
    [
      'an untrusted certificate',
      new TypeError('fetch failed', { cause: { code: 'SELF_SIGNED_CERT_IN_CHAIN' } }),
      true,
    ],
  ];
  it.each(network)('classifies %s (permanent: %s)', async (_name, thrown, permanent) => {
    const { fetch } = scripted([thrown]);
    const error = await failure(
      fetchGitHubArchive({ apiUrl: API }, 'contoso/etl', COMMIT, dest(), { fetch }),
    );
    expect([error.code, error.permanent]).toEqual(['SourceUnavailable', permanent]);
    expect(error.message).toMatch(/^github: (cannot reach https:\/\/api\.github\.example|https:\/\/api)/);
  });

  it('refuses an archive whose declared length is over the cap without reading it', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const { fetch } = scripted([
      new Response(body, { headers: { 'content-length': String(10 * 1024 * 1024) } }),
    ]);
    const file = dest();
    const error = await failure(
      fetchGitHubArchive({ apiUrl: API }, 'contoso/etl', COMMIT, file, { fetch, maxBytes: 1024 * 1024 }),
    );
    expect(error.message).toBe(
      'github: the archive is larger than 1 MiB; keep large files out of the repository or fetch from a smaller one',
    );
    expect(pulled).toBeLessThanOrEqual(1);
    expect(existsSync(file)).toBe(false);
  });

  it('treats a connection lost mid-body as transient and removes the partial file', async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 2) controller.error(new TypeError('terminated', { cause: { code: 'UND_ERR_SOCKET' } }));
        else controller.enqueue(new Uint8Array(1024));
      },
    });
    const { fetch } = scripted([new Response(body)]);
    const file = dest();
    const error = await failure(fetchGitHubArchive({ apiUrl: API }, 'contoso/etl', COMMIT, file, { fetch }));
    expect([error.code, error.permanent]).toEqual(['SourceUnavailable', false]);
    expect(existsSync(file)).toBe(false);
  });
});
