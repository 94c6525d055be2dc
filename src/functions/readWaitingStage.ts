// I/O: the release behind an approval link, and whether the link's stage still waits for a decision.
import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { ReleaseSource } from '../release/ReleaseInput';
import type { ReleaseStatus, StageStatus } from '../release/ReleaseStatus';
import type { ApprovalClaims } from '../approvals/approvalToken';
import { checkStageWaiting, type StagePolicy } from '../approvals/checkStageWaiting';
import { readOrchestration } from '../approvals/readOrchestration';
import { messageResponse } from '../web/responses';

export type WaitingStage =
  | {
      ok: true;
      client: df.DurableClient;
      release: ReleaseStatus;
      stage: StageStatus;
      /** Who asked for the release (from its input; checkStageWaiting). */
      source: ReleaseSource;
      /** The stage's quorum and self-approval flag from the release's input, when it has them. */
      policy?: StagePolicy;
    }
  | { ok: false; response: HttpResponseInit };

export async function readWaitingStage(
  context: InvocationContext,
  claims: ApprovalClaims,
): Promise<WaitingStage> {
  const client = df.getClient(context);
  let snapshot;
  try {
    snapshot = await readOrchestration(client, claims.releaseId);
  } catch (error) {
    context.error(
      `${context.functionName}: status of release ${claims.releaseId} unreadable: ${String(error)}`,
    );
    return {
      ok: false,
      response: messageResponse(
        503,
        'Try again',
        'The release status could not be read just now; nothing was decided.',
        [],
        {
          'Retry-After': '5',
        },
      ),
    };
  }
  const check = checkStageWaiting(snapshot, claims);
  if (!check.ok)
    return { ok: false, response: messageResponse(check.status, check.title, check.message, check.details) };
  const { release, stage, source, policy } = check;
  return { ok: true, client, release, stage, source, ...(policy ? { policy } : {}) };
}
