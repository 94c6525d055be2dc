// Pure: the retry policy for activities. Activities throw only what a retry can fix (outages, ledger
// conflicts, throttling beyond the client's own retries); permanent failures come back as data.
import * as df from 'durable-functions';

export function retryPolicy(): df.RetryOptions {
  const options = new df.RetryOptions(5_000, 5);
  options.backoffCoefficient = 2;
  options.maxRetryIntervalInMilliseconds = 60_000;
  return options;
}
