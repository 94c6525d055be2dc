// Pure: a rejected fetch or body read as a SourceFetchError. A timeout or a dropped connection is worth
// retrying; a host name that does not resolve or a certificate that is not trusted is not (a retry only
// delays the message that says which setting to fix).
import { classifyNetworkError } from '../databricks/classifyNetworkError';
import { SourceFetchError } from './SourceFetchError';

export function describeNetworkFailure(error: unknown, url: URL, label: string): SourceFetchError {
  if (error instanceof SourceFetchError) return error;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') {
    return new SourceFetchError('SourceUnavailable', `${label}: ${url.origin} did not answer in time`, false);
  }
  if (name === 'AbortError') {
    return new SourceFetchError(
      'SourceUnavailable',
      `${label}: the download from ${url.origin} was cancelled`,
      false,
    );
  }
  const network = classifyNetworkError(error);
  const code = network?.code ?? (error instanceof Error ? error.name : 'unknown error');
  return new SourceFetchError(
    'SourceUnavailable',
    `${label}: cannot reach ${url.origin} (${code})`,
    network !== undefined && !network.transient,
  );
}
