// Test infrastructure: one function invocation under the host's function timeout. When the timeout passes,
// the WebJobs executor fails the invocation with FunctionTimeoutException ("Timeout value of 00:05:00 was
// exceeded by function: Functions.<name>") and logs "... exceeded by function 'Functions.<name>' (Id: ...).
// Initiating cancellation." (azure-webjobs-sdk FunctionExecutor; JobHostFunctionTimeoutOptionsSetup.cs sets
// ThrowOnTimeout). For an activity the Durable extension reports that as the task's failure, like any user
// error (TaskActivityShim.cs, FunctionTimeoutError), so the retry policy applies. The real host then
// restarts the worker process; in-process here, the late result of the handler is dropped instead.
import type { FunctionApp, InvocationInput, InvocationOutcome } from './FunctionApp';
import { formatTimeSpan } from './readFunctionTimeout';

/** Microsoft.Azure.WebJobs.Host.FunctionTimeoutException. */
export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutException';
  readonly code = 'FunctionTimeout';
}

export async function invokeWithTimeout(
  app: FunctionApp,
  functionName: string,
  input: InvocationInput,
  timeoutInMs: number | undefined,
  log: (message: string) => void,
): Promise<InvocationOutcome> {
  const invocation = app.invoke(functionName, input);
  if (timeoutInMs === undefined) return invocation;
  const fn = app.get(functionName);
  const shortName = `Functions.${fn?.name ?? functionName}`;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<InvocationOutcome>((resolve) => {
    timer = setTimeout(() => {
      const limit = formatTimeSpan(timeoutInMs);
      log(`Timeout value of ${limit} exceeded by function '${shortName}'. Initiating cancellation.`);
      resolve({
        ok: false,
        error: new FunctionTimeoutError(`Timeout value of ${limit} was exceeded by function: ${shortName}`),
      });
    }, timeoutInMs);
  });
  try {
    return await Promise.race([invocation, timedOut]);
  } finally {
    clearTimeout(timer);
    // The abandoned invocation may still fail later; nobody is waiting for it any more.
    invocation.catch(() => undefined);
  }
}
