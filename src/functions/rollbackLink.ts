// I/O (HTTP trigger): GET|POST /api/rollbacks/{token} — the manual rollback (BRICKLANE_<ENV>_ROLLBACK=manual, the
// default), through a signed link as approvals go (approvalToken.ts: signed, expiring, under its own MAC
// context, ids only, never a secret). A failed release's status page offers the link (offerRollback) while the
// environment may be rolled back (release/rollbackOffer.ts). GET never decides: it shows what the rollback
// restores and changes. POST starts it, after the same checks as an approval decision (same origin, body size,
// the environment's approvers): a release of the environment's last known good bundle to that environment only
// (release/rollbackInputFor.ts), whose instance id is derived from the failed release and the environment, so a
// second click, a replayed link or a second approver starts nothing new. Every request reads the environment
// again: a link whose known good changed, or whose environment has deployed since, is refused.
// A ring of workspaces (BRICKLANE_<ENV>_TARGETS) is offered one link per workspace that applied the failed release,
// each naming the target by its key (`prod.weu`): its last known good, its apply lock and its rollback release
// (`rollback-prod.weu-<failed>`) are that workspace's alone; the ring's approvers confirm it.
//
// Registration (src/index.ts): app.http('rollbackLink', rollbackLinkOptions)
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import {
  createRollbackToken,
  describeTokenFailure,
  ROLLBACK_LINK_TTL_IN_SECONDS,
  rollbackUrl,
  type RollbackClaims,
  verifyRollbackToken,
} from '../approvals/approvalToken';
import { statusViewUrl } from '../approvals/releaseViewUrl';
import { resolveApprover } from '../approvals/resolveApprover';
import { findOrchestration } from '../azure/findOrchestration';
import { readReleaseRecord } from '../azure/releaseRecord';
import { lockBlob } from '../azure/ReleaseStorage';
import { displayName } from '../config/loadSettings';
import type { EnvironmentSettings, Settings } from '../config/Settings';
import { releaseView, type OrchestrationState, type ReleaseView } from '../release/releaseView';
import { rollbackInputFor, rollbackReleaseId } from '../release/rollbackInputFor';
import { rollbackOffer, type RollbackBasis, type RollbackOffer } from '../release/rollbackOffer';
import type { AppServices } from '../services/appServices';
import { messageResponse, htmlResponse, type OnwardLink } from '../web/responses';
import { renderRollbackPage, type RingWorkspace, type RollbackLinkOffer } from '../web/renderRollbackPage';
import { beginRelease } from './beginRelease';
import { isCrossSite, readLimitedText } from './approvalDecision';
import { openAppServices } from './openAppServices';

/** The form has one field (`confirm=rollback`): a few bytes, as an approval decision's limit allows. */
const MAX_BODY_BYTES = 1024;

export async function rollbackLink(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const now = new Date();
  const opened = openAppServices(context);
  if (!opened.ok) return opened.response;
  const s = opened.services;
  const verified = verifyRollbackToken(request.params.token ?? '', s.settings.approvalSigningKeys, now);
  if (!verified.ok) {
    const failure = describeTokenFailure(verified.reason, 'rollback');
    return messageResponse(failure.status, failure.title, failure.message);
  }
  const claims = verified.claims;
  const scope = rollbackScope(s.settings, claims.environment);
  if (!scope)
    return messageResponse(
      409,
      'Cannot roll back',
      `Environment ${claims.environment} is no longer configured.`,
    );
  // The approvers and the rollback setting are the environment's (a ring's, for one of its workspaces).
  const environment = scope.owner;
  const env = scope.workspace
    ? `${displayName(scope.workspace.ring)} workspace ${claims.environment}`
    : displayName(claims.environment);
  const onward = onwardTo(s, claims.releaseId, now);
  const post = request.method === 'POST';
  if (post) {
    // Reject early, as approvalDecision does: where the form came from, then the body's size and content.
    if (isCrossSite(request, s.settings.publicUrl))
      return messageResponse(403, 'Refused', 'A rollback is accepted only from its own confirmation page.');
    const body = await readLimitedText(request, MAX_BODY_BYTES);
    if (body === undefined)
      return messageResponse(413, 'Too large', `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
    const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (
      type !== 'application/x-www-form-urlencoded' ||
      new URLSearchParams(body).get('confirm') !== 'rollback'
    )
      return messageResponse(400, 'Not accepted', 'Post the confirmation form: confirm=rollback.');
  }
  const viewer = resolveApprover(request.headers, {
    environment: claims.environment,
    approvers: environment.approval.approvers,
    groups: environment.approval.policy.groups,
    easyAuthEnabled: s.easyAuthEnabled,
  });
  if (post && !viewer.ok) return messageResponse(403, 'Not allowed', viewer.message);

  const client = df.getClient(context);
  const rollbackId = rollbackReleaseId(claims.releaseId, claims.environment);
  const read = await readSituation(client, s, claims, rollbackId, scope).catch((error: unknown) => {
    context.error(`rollbackLink: ${claims.releaseId} ${claims.environment} unreadable: ${String(error)}`);
    return undefined;
  });
  if (!read)
    return messageResponse(
      503,
      'Try again',
      'The release could not be read just now; nothing was started.',
      [],
      {
        'Retry-After': '5',
      },
    );
  if (read.started) {
    // A second click, another approver's, or the link opened again: the rollback the first one started.
    return messageResponse(
      409,
      'Already rolling back',
      `${env} is being rolled back, or was, by release ${rollbackId}; this link starts nothing new.`,
      [['Rollback', `${rollbackId} (${read.started})`]],
      {},
      onwardTo(s, rollbackId, now) ?? onward,
    );
  }
  const offer = read.offer;
  if (!offer.ok) return messageResponse(409, 'Cannot roll back', offer.message, [], {}, onward);
  if (offer.knownGood.bundleId !== claims.knownGood)
    return messageResponse(
      409,
      'Cannot roll back',
      `The last known good bundle of ${env} is now ${offer.knownGood.bundleId} (release ` +
        `${offer.knownGood.releaseId}), not the bundle this link restores; open the release's status page again.`,
      [],
      {},
      onward,
    );

  if (!post) {
    const path = new URL(request.url).pathname;
    // A ring's workspace shows its own plan, and its own failure, or the ring's (a target that passed before another
    // failed has none).
    const message = offer.target?.message ?? offer.stage.message;
    const plan = (offer.target ?? offer.stage).plan;
    const html = renderRollbackPage({
      environment: claims.environment,
      failed: {
        releaseId: claims.releaseId,
        bundleId: offer.failedBundleId,
        ...(message ? { message } : {}),
        ...(plan ? { plan } : {}),
      },
      knownGood: offer.knownGood,
      ...(scope.workspace ? { workspace: scope.workspace } : {}),
      approvers: [
        ...environment.approval.approvers,
        ...environment.approval.policy.groups.map((g) => `members of group ${g}`),
      ],
      viewer,
      formAction: path,
      signInUrl: `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(path)}`,
      ...(onward ? { statusUrl: onward.href } : {}),
    });
    // Its form posts back here, and the POST refuses `Origin: null` (approvalDecision, isCrossSite).
    return htmlResponse(200, html, { 'Referrer-Policy': 'same-origin' });
  }

  const input = rollbackInputFor({
    failed: { releaseId: claims.releaseId, startedAt: read.startedAt },
    environment: claims.environment,
    knownGood: offer.knownGood,
    requestedBy: viewer.ok ? viewer.approver : '',
  });
  try {
    await beginRelease(client, input, s.settings.publicUrl);
  } catch (error) {
    context.error(`rollbackLink: starting ${rollbackId} failed: ${String(error)}`);
    return messageResponse(503, 'Try again', 'The rollback could not be started just now.', [], {
      'Retry-After': '5',
    });
  }
  // The audit line: who rolled back what (never the link).
  context.log(
    `rollbackLink: ${rollbackId} puts bundle ${offer.knownGood.bundleId} back in ${claims.environment} after ` +
      `release ${claims.releaseId}, confirmed by ${input.source.requestedBy ?? ''}`,
  );
  return messageResponse(
    202,
    `Rolling back ${env}`,
    `Release ${rollbackId} puts bundle ${offer.knownGood.bundleId} of release ${offer.knownGood.releaseId} back in ${env}.`,
    [
      ['Rollback', rollbackId],
      ['By', input.source.requestedBy ?? ''],
    ],
    {},
    onwardTo(s, rollbackId, now) ?? onward,
  );
}

/**
 * The rollbacks a failed release's status page offers: a signed link to the confirmation page of its failed
 * environment, or for a ring one per workspace that applied the release; none when nothing may be rolled back by
 * hand now (or links cannot be signed). A storage hiccup leaves an offer out: the page shows the release all the same.
 */
export async function offerRollback(
  view: ReleaseView,
  context: InvocationContext,
  services: AppServices,
  now: Date = new Date(),
): Promise<RollbackLinkOffer[]> {
  const keys = services.settings.approvalSigningKeys;
  const failed = view.state === 'failed' ? view.stages?.find((s) => s.state === 'failed') : undefined;
  if (!failed || keys.length === 0) return [];
  const environment = services.settings.environments.find((e) => e.name === failed.environment);
  if (environment?.rollback !== 'manual') return [];
  // A ring's targets in order, canary first: rollbackOffer keeps those that applied.
  const names = environment.ring ? (failed.targets ?? []).map((t) => t.target) : [failed.environment];
  const offers = await Promise.all(
    names.map(async (name): Promise<RollbackLinkOffer | undefined> => {
      const scope = rollbackScope(services.settings, name);
      try {
        const offer = rollbackOffer(view, name, await readBasis(services, scope));
        if (!offer.ok || !scope) return undefined;
        const token = createRollbackToken(
          {
            releaseId: view.releaseId,
            environment: name,
            knownGood: offer.knownGood.bundleId,
            expiresAt: Math.floor(now.getTime() / 1000) + ROLLBACK_LINK_TTL_IN_SECONDS,
          },
          keys,
        );
        return {
          environment: name,
          knownGood: offer.knownGood,
          url: rollbackUrl(services.settings.publicUrl, token),
          ...(scope.workspace ? { workspace: scope.workspace } : {}),
        };
      } catch (error) {
        context.warn(`${context.functionName}: rollback of ${name} unreadable: ${String(error)}`);
        return undefined;
      }
    }),
  );
  return offers.filter((o): o is RollbackLinkOffer => o !== undefined);
}

/** What a link's environment name stands for: an environment, or one workspace of a ring by its target's key. */
interface RollbackScope {
  /** The environment whose settings rule the rollback (approvers, rollback mode): the ring's, for a target. */
  owner: EnvironmentSettings;
  /** The name its ledger, known good and apply lock go by (the environment's, or the target's key). */
  key: string;
  /** For a ring's target: its ring and its workspace. */
  workspace?: RingWorkspace;
}

function rollbackScope(settings: Settings, name: string): RollbackScope | undefined {
  for (const owner of settings.environments) {
    if (owner.name === name) return { owner, key: name };
    const target = owner.ring?.targets.find((t) => t.name === name);
    if (target) return { owner, key: name, workspace: { ring: owner.name, name: target.workspaceName } };
  }
  return undefined;
}

interface Situation {
  /** The rollback release's runtime status, when it exists. */
  started?: string;
  offer: RollbackOffer;
  /** The failed release's start (the rollback is ordered as it on the apply lock). */
  startedAt: string;
}

async function readSituation(
  client: df.DurableClient,
  s: AppServices,
  claims: RollbackClaims,
  rollbackId: string,
  scope: RollbackScope,
): Promise<Situation> {
  // A release whose durable history was purged answers from its archived record, as its status page does.
  const lookup = async (id: string): Promise<OrchestrationState | undefined> =>
    (await findOrchestration(client, id)) ?? (await readReleaseRecord(s.releases, id));
  const [existing, failed] = await Promise.all([lookup(rollbackId), lookup(claims.releaseId)]);
  if (existing?.runtimeStatus)
    return { started: String(existing.runtimeStatus), offer: { ok: false, message: '' }, startedAt: '' };
  if (!failed?.runtimeStatus)
    return {
      offer: { ok: false, message: `There is no release ${claims.releaseId}.` },
      startedAt: '',
    };
  // The status only: no approval link is signed here.
  const view = releaseView(failed, () => undefined);
  return {
    offer: rollbackOffer(view, claims.environment, await readBasis(s, scope)),
    startedAt: view.startedAt ?? new Date(failed.createdTime).toISOString(),
  };
}

/**
 * The environment's rollback setting, and the last known good and newest holder of the apply lock of the
 * environment (or of the ring's target), read now.
 */
async function readBasis(s: AppServices, scope: RollbackScope | undefined): Promise<RollbackBasis> {
  if (!scope) return { mode: undefined, knownGood: undefined, newest: undefined };
  const [knownGood, lock] = await Promise.all([
    s.ledger.lastKnownGood(scope.key),
    // The apply lock's record (activities/claimEnvironment.ts, ApplyLockRecord): its holder and the newest taker.
    s.releases.readJson<{ releaseId?: string; newest?: { releaseId: string } }>(lockBlob(scope.key)),
  ]);
  return {
    mode: scope.owner.rollback,
    knownGood,
    newest: lock?.value.newest?.releaseId ?? lock?.value.releaseId,
    ring: scope.owner.ring !== undefined && scope.workspace === undefined,
  };
}

function onwardTo(s: AppServices, releaseId: string, now: Date): OnwardLink | undefined {
  const href = statusViewUrl(s.settings, releaseId, now);
  return href === undefined ? undefined : { href, label: 'Release status' };
}

/** Options for `app.http('rollbackLink', rollbackLinkOptions)`. Anonymous: the signed token is the credential. */
export const rollbackLinkOptions: HttpFunctionOptions = {
  route: 'rollbacks/{token}',
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: rollbackLink,
};
