// Pure: why a repository archive could not be fetched, and whether trying again can help. stageSource
// returns permanent failures as data (the release fails with this message) and throws transient ones so
// the orchestration's retry policy retries them.
export type SourceFetchErrorCode =
  /** The repository, project or commit does not exist, or the credential cannot see it. */
  | 'SourceNotFound'
  /** The credential was refused (wrong, expired, or a sign-in page instead of content). */
  | 'SourceUnauthorized'
  /** The credential is valid but lacks permission, or a setting needed to fetch is missing. */
  | 'SourceForbidden'
  | 'SourceTooLarge'
  /** The host answered something we cannot use (unexpected status or content type, bad redirect). */
  | 'SourceUnexpectedResponse'
  /** Outage, throttling, timeout or a dropped connection: worth retrying. */
  | 'SourceUnavailable';

export class SourceFetchError extends Error {
  constructor(
    readonly code: SourceFetchErrorCode,
    message: string,
    /** false: retrying can help (5xx, 429, network); true: it cannot until someone fixes something. */
    readonly permanent: boolean,
    /** How long the host asked to wait (Retry-After), when it said. */
    readonly retryAfterInMs?: number,
  ) {
    super(message);
    this.name = 'SourceFetchError';
  }
}
