// Pure: the release's status page behind an approval link, as a signed view link that expires with the
// approval link (whoever holds one may read the other) and never carries the function key (issue 10).
import { type ApprovalClaims, createViewToken, viewUrl } from '../approvals/approvalToken';
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
