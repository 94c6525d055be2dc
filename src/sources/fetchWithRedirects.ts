// I/O: one GET that follows redirects by hand, so that credentials never leave the host they are for.
// GitHub answers the tarball endpoint with a 302 to codeload.github.com; the Authorization header must
// not follow it there (GitHub REST docs, "Download a repository archive (tar)": the redirect URL carries its
// own short-lived token). Fetch's own `redirect: 'follow'` leaves header stripping to the runtime's version,
// and we want it explicit and tested.
import { describeNetworkFailure } from './describeNetworkFailure';
import { SourceFetchError } from './SourceFetchError';

export interface FetchWithRedirectsOptions {
  /** Prefix of error messages (`github`, `azure repos`). */
  label: string;
  headers: Record<string, string>;
  fetch: typeof fetch;
  signal: AbortSignal;
  /**
   * Called with each redirect target; true stops there and returns the redirect itself (Azure DevOps
   * redirects unauthenticated calls to its sign-in page, which is an answer, not a place to go).
   */
  stopAt?: (target: URL) => boolean;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function fetchWithRedirects(url: URL, options: FetchWithRedirectsOptions): Promise<Response> {
  let current = url;
  let headers = options.headers;
  for (let hop = 0; ; hop++) {
    const response = await send(current, headers, options);
    if (!REDIRECTS.has(response.status)) return response;
    const location = response.headers.get('location');
    if (!location) return response;
    const target = new URL(location, current);
    if (options.stopAt?.(target)) return response;
    await response.body?.cancel().catch(() => undefined);
    // Only the origin is named in messages: redirect URLs can carry a token in their query string.
    if (hop + 1 > MAX_REDIRECTS) {
      throw new SourceFetchError(
        'SourceUnexpectedResponse',
        `${options.label}: more than ${MAX_REDIRECTS} redirects, the last to ${target.origin}`,
        true,
      );
    }
    if (current.protocol === 'https:' && target.protocol !== 'https:') {
      throw new SourceFetchError(
        'SourceUnexpectedResponse',
        `${options.label}: refused a redirect from ${current.origin} to the non-HTTPS ${target.origin}`,
        true,
      );
    }
    if (target.origin !== current.origin) headers = withoutCredentials(headers);
    current = target;
  }
}

async function send(
  url: URL,
  headers: Record<string, string>,
  options: FetchWithRedirectsOptions,
): Promise<Response> {
  try {
    return await options.fetch(url, { method: 'GET', headers, redirect: 'manual', signal: options.signal });
  } catch (error) {
    throw describeNetworkFailure(error, url, options.label);
  }
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
  );
}
