// Pure: the release list and the release's status page behind an approval link, as a signed view link that expires with the
// approval link (whoever holds one may read the other) and never carries the function key (issue 10).
// The list's is a list view link that lasts VIEW_LINK_TTL_IN_SECONDS from now (`now` for tests).
import {
  type ApprovalClaims,
  createListViewToken,
  createViewToken,
  VIEW_LINK_TTL_IN_SECONDS,
  viewUrl,
} from '../approvals/approvalToken';
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
