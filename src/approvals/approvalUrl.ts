// Pure: the link sent to approvers. It points at our own approval page, never at Durable's
// sendEventPostUri, which carries the extension's system key and would decide on a single GET.

/** `${publicUrl}/api/approvals/${token}`; tokens are base64url and '.', so they need no escaping. */
export function approvalUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/approvals/${token}`;
}
