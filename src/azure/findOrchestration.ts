// I/O: an orchestration's status through the durable client, where only "not found" means absent.
// durable-functions 3.5 turns the extension's 404 into a plain Error saying "replied with HTTP 404"
// (lib/src/durableClient/DurableClient.js, getStatus) and rejects every other failure (500, an
// unreachable extension, a storage outage behind it) with a different error. Taking those for "no such
// instance" would restart a finished release or take over an environment another release applies to.
import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';

/** The durable client could not tell whether the instance exists; retry, never treat it as absent. */
export class OrchestrationLookupError extends Error {
  readonly code = 'OrchestrationLookupFailed';

  constructor(
    readonly instanceId: string,
    cause: unknown,
  ) {
    super(
      `could not read the status of ${instanceId} from the Durable Functions extension ` +
        `(${describe(cause)}); this is not "not found": retry once the task hub's storage answers`,
      { cause },
    );
    this.name = 'OrchestrationLookupError';
  }
}

export async function findOrchestration(
  client: DurableClient,
  instanceId: string,
): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new OrchestrationLookupError(instanceId, error);
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && /replied with HTTP 404 response/.test(error.message);
}

function describe(cause: unknown): string {
  // The client's messages carry the extension's answer, never a secret; keep them short for logs.
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
