// Deterministic: the apply lock of one workspace (an environment's, or a ring target's), taken through the
// claimEnvironment activity: a release waits while another live release applies there, and stops when a newer
// one supersedes it (the latest-wins order of activities/claimEnvironment.ts).
import type * as df from 'durable-functions';
import { ACTIVITIES, type ClaimResult } from '../activities/contracts';
import { ENVIRONMENT_FREE_EVENT } from '../release/ApprovalEvent';
import { callStep } from './callStep';

/** How often a release re-checks an environment another release is applying to. */
const LOCK_POLL_IN_MS = 30_000;
const LOCK_WAIT_LIMIT_IN_MS = 6 * 3_600_000;

/**
 * Waits (durably) while another live release applies to the environment: true once granted, false after
 * the wait limit, or the newer release that supersedes this one. The release that gives the lock up wakes
 * the one queued for it (ENVIRONMENT_FREE_EVENT), so the poll only covers a lost wake-up.
 */
export function* claimForApply(
  context: df.OrchestrationContext,
  releaseId: string,
  environment: string,
  startedAt: string,
  onFirstWait: () => void,
  /** The instance that waits, when not the release (a ring's target): the release that frees the lock wakes it. */
  waiter?: string,
): Generator<df.Task, boolean | { supersededBy: string }, unknown> {
  let waiting = false;
  // One waiter, kept until it is used: a new waiter per poll would leave the earlier ones to take the
  // wake-up (durable-functions hands an event to one waiter of its name).
  let wake: df.Task | undefined;
  const deadline = context.df.currentUtcDateTime.getTime() + LOCK_WAIT_LIMIT_IN_MS;
  for (;;) {
    const claim = yield* callStep<ClaimResult>(context, ACTIVITIES.claimEnvironment, {
      releaseId,
      environment,
      phase: 'applying',
      startedAt,
      ...(waiter !== undefined ? { waiter } : {}),
    });
    if (claim.granted) return true;
    if (claim.superseded) return { supersededBy: claim.other ?? 'unknown' };
    const now = context.df.currentUtcDateTime.getTime();
    if (now >= deadline) return false;
    if (!waiting) onFirstWait();
    waiting = true;
    wake ??= context.df.waitForExternalEvent(ENVIRONMENT_FREE_EVENT);
    // A wake-up that came during the claim is read here, not raced (see waitForApproval).
    if (!wake.isCompleted) {
      const timer = context.df.createTimer(new Date(now + LOCK_POLL_IN_MS));
      const winner = yield context.df.Task.any([wake, timer]);
      if (winner === timer) continue;
      timer.cancel();
    }
    wake = undefined;
  }
}
