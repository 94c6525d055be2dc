// I/O (activity): posts a release notice to the environment's incoming webhook, in the channel's own format
// (config/readNotifyFormat.ts picks it: a Teams Adaptive Card, Slack Block Kit, or `{ text }`). The notice
// carries what the orchestration passes (the state, the source, the policy state) and what release storage
// holds for the stage (the stored plan's counts, the code diff's size), which the history never carries. A
// notice is never worth a failed release: every failure is returned as data, and the URL (which
// carries its own secret) never appears in a result or a log.
import type { BlobServiceClient } from '@azure/storage-blob';
import type { InvocationContext } from '@azure/functions';
import {
  approvalUrl,
  createApprovalToken,
  createRollbackToken,
  rollbackUrl,
} from '../approvals/approvalToken';
import { statusViewUrl } from '../approvals/releaseViewUrl';
import { readStageCodeDiff } from '../approvals/readStageCodeDiff';
import { readStagePlan } from '../approvals/readStagePlan';
import { environmentByName } from '../config/loadSettings';
import { notifyFormatFor } from '../config/readNotifyFormat';
import { ringOf } from '../config/readTargets';
import type { EnvironmentSettings, Settings } from '../config/Settings';
import { noticeText, type ReleaseNotice } from '../release/ReleaseNotice';
import { knownGoodBefore } from '../release/rollbackOffer';
import { slackMessage } from '../release/slackMessage';
import { teamsMessage } from '../release/teamsMessage';
import type { NotifyInput, NotifyResult } from './contracts';
import { recordNotice } from './engine/recordNotice';
import { appServices } from '../services/appServices';
import type { ActivityOptions } from 'durable-functions';

const TIMEOUT_IN_MS = 5_000;
/** How long the stored plan and code diff may take to read before the notice goes without them. */
const STORED_PARTS_TIMEOUT_IN_MS = 3_000;

export async function notify(input: NotifyInput, context: InvocationContext): Promise<NotifyResult> {
  // The audit record first: a notice that cannot be sent still leaves its record (recordNotice never throws).
  await recordNotice(input, context);
  try {
    const services = appServices();
    const { settings } = services;
    const env = environmentByName(settings, input.environment);
    if (!env.notifyUrl) return { sent: false, reason: 'no notification URL configured' };
    // People read notices in Teams or Slack, without the function key: the status link is a signed view link.
    const status =
      statusViewUrl(settings, input.releaseId) ?? `${settings.publicUrl}/api/releases/${input.releaseId}`;
    const approve = input.kind === 'approvalNeeded' ? approvalLink(settings, input) : undefined;
    const rollbacks = await within(rollbackLinks(services, env, input));
    const notice: ReleaseNotice = {
      kind: input.kind,
      releaseId: input.releaseId,
      environment: input.environment,
      state: input.state,
      expiresAt: input.expiresAt,
      message: input.message,
      fix: input.fix,
      source: input.source,
      policy: input.policy,
      ...(await storedParts(services.blobService, input.releaseId, planKeyOf(env))),
      links: {
        status,
        ...(approve !== undefined ? { approve } : {}),
        ...rollbacks,
      },
    };
    const format = notifyFormatFor(env.notifyUrl, env.notifyFormat);
    const body =
      format === 'teams'
        ? teamsMessage(notice)
        : format === 'slack'
          ? slackMessage(notice)
          : { text: noticeText(notice) };
    const response = await fetch(env.notifyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_IN_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) {
      context.warn(`notify: ${input.environment} webhook answered ${response.status}`);
      return { sent: false, reason: `webhook answered ${response.status}` };
    }
    return { sent: true };
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'error';
    context.warn(`notify: ${input.environment} notice not sent (${reason})`);
    return { sent: false, reason: `not sent (${reason})` };
  }
}

/**
 * The signed approval link of this wait (it carries the plan id, so it approves that plan only); none without
 * a signing key or a readable expiry, and the status link stands in.
 */
function approvalLink(settings: Settings, input: NotifyInput): string | undefined {
  const expiresAt = Date.parse(input.expiresAt ?? '') / 1000;
  if (settings.approvalSigningKeys.length === 0 || !Number.isFinite(expiresAt)) return undefined;
  const claims = {
    releaseId: input.releaseId,
    environment: input.environment,
    expiresAt,
    ...(input.planId !== undefined ? { nonce: input.planId } : {}),
  };
  return approvalUrl(settings.publicUrl, createApprovalToken(claims, settings.approvalSigningKeys));
}

/** How long a rollback link in a notice stays valid: a day, as view links (the status page signs fresh ones). */
const NOTICE_ROLLBACK_TTL_IN_SECONDS = 24 * 3600;

/**
 * The signed one-click rollback links a failed stage's notice carries (the status page's offer, in the channel):
 * only for a stage that failed after it deployed, in an environment that rolls back by hand, with a last known good
 * (before this release) other than the failed bundle: the environment's link, or for a ring one per workspace that
 * applied the bundle (by the target's key). The link's page and its POST check the rest again when clicked
 * (release/rollbackOffer.ts: nothing deployed there since, the known good unchanged).
 */
async function rollbackLinks(
  services: ReturnType<typeof appServices>,
  env: EnvironmentSettings,
  input: NotifyInput,
): Promise<Pick<ReleaseNotice['links'], 'rollback' | 'targetRollbacks'>> {
  const { settings } = services;
  const failedBundleId = input.failedBundleId;
  if (input.kind !== 'stageFinished' || input.state !== 'failed' || failedBundleId === undefined) return {};
  if (env.rollback !== 'manual' || settings.approvalSigningKeys.length === 0) return {};
  const link = async (key: string): Promise<string | undefined> => {
    const known = knownGoodBefore(await services.ledger.lastKnownGood(key), input.releaseId);
    if (!known || known.bundleId === failedBundleId) return undefined;
    const claims = {
      releaseId: input.releaseId,
      environment: key,
      knownGood: known.bundleId,
      expiresAt: Math.floor(Date.now() / 1000) + NOTICE_ROLLBACK_TTL_IN_SECONDS,
    };
    return rollbackUrl(settings.publicUrl, createRollbackToken(claims, settings.approvalSigningKeys));
  };
  if (env.ring === undefined) {
    const rollback = await link(env.name);
    return rollback !== undefined ? { rollback } : {};
  }
  const targets = input.appliedTargets ?? [];
  const urls = await Promise.all(targets.map(link));
  const targetRollbacks = targets.flatMap((target, i) => {
    const url = urls[i];
    return url !== undefined ? [{ target, url }] : [];
  });
  return targetRollbacks.length > 0 ? { targetRollbacks } : {};
}

/**
 * Where the stage's plan is stored: under the environment's name, or for a ring (BRICKLANE_<ENV>_TARGETS) under
 * its canary's key, the plan the ring's one approval is asked on (the approval page shows every target's).
 */
function planKeyOf(env: EnvironmentSettings): string {
  return ringOf(env)[0]?.name ?? env.name;
}

/**
 * What release storage holds for the stage: the stored plan's counts and the code diff's size. A part that
 * is missing, unreadable or slow is left out: the notice goes without it rather than late or not at all.
 */
async function storedParts(
  service: BlobServiceClient,
  releaseId: string,
  planKey: string,
): Promise<Pick<ReleaseNotice, 'plan' | 'diff'>> {
  const [plan, code] = await Promise.all([
    within(readStagePlan(service, releaseId, planKey)),
    within(readStageCodeDiff(service, releaseId, planKey)),
  ]);
  return { ...(plan ? { plan: plan.summary } : {}), ...(code ? { diff: code.size } : {}) };
}

/** `read`'s value, or undefined when it fails or takes longer than the stored parts may: the notice goes without. */
function within<T>(read: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((done) => {
    timer = setTimeout(() => done(undefined), STORED_PARTS_TIMEOUT_IN_MS);
  });
  return Promise.race([read.catch(() => undefined), late]).finally(() => clearTimeout(timer));
}

/** Options for `df.app.activity('notify', notifyOptions)`. Never wrapped: it returns every failure itself. */
export const notifyOptions: ActivityOptions = { handler: notify };
