// Pure: the signed view links that let a browser open a release's status page or the release list without the
// function key (issue 10): one bound to an approval link expires with it (whoever holds one may read the
// other); the others last VIEW_LINK_TTL_IN_SECONDS from now (`now` for tests). Pages, notices and the
// sandbox all build them here.
import {
  type ApprovalClaims,
  createListViewToken,
  createViewToken,
  VIEW_LINK_TTL_IN_SECONDS,
  viewUrl,
} from './approvalToken';
import type { Settings } from '../config/Settings';

export function releaseViewUrl(
  settings: Pick<Settings, 'publicUrl' | 'approvalSigningKeys'>,
  claims: Pick<ApprovalClaims, 'releaseId' | 'expiresAt'>,
): string {
  return viewUrl(
    settings.publicUrl,
    createViewToken(
      { releaseId: claims.releaseId, expiresAt: claims.expiresAt },
      settings.approvalSigningKeys,
    ),
  );
}

/** A signed list view link (a status page's "All releases"); undefined without signing keys. */
export function releaseListViewUrl(
  settings: Pick<Settings, 'publicUrl' | 'approvalSigningKeys'>,
  now: Date = new Date(),
): string | undefined {
  if (settings.approvalSigningKeys.length === 0) return undefined;
  const expiresAt = Math.floor(now.getTime() / 1000) + VIEW_LINK_TTL_IN_SECONDS;
  return viewUrl(settings.publicUrl, createListViewToken({ expiresAt }, settings.approvalSigningKeys));
}

/** A release's status view token valid VIEW_LINK_TTL_IN_SECONDS from `now` (or until `expiresAt`); undefined without signing keys. */
export function statusViewToken(
  settings: Pick<Settings, 'approvalSigningKeys'>,
  releaseId: string,
  options: { expiresAt?: number; now?: Date } = {},
): string | undefined {
  if (settings.approvalSigningKeys.length === 0) return undefined;
  const expiresAt =
    options.expiresAt ?? Math.floor((options.now ?? new Date()).getTime() / 1000) + VIEW_LINK_TTL_IN_SECONDS;
  return createViewToken({ releaseId, expiresAt }, settings.approvalSigningKeys);
}

/** A release's status page as a signed view link; undefined without signing keys. */
export function statusViewUrl(
  settings: Pick<Settings, 'publicUrl' | 'approvalSigningKeys'>,
  releaseId: string,
  now?: Date,
): string | undefined {
  const token = statusViewToken(settings, releaseId, now ? { now } : {});
  return token === undefined ? undefined : viewUrl(settings.publicUrl, token);
}
