// Pure: what an approval link grants: one decision on one environment of one release, until it expires.

export interface ApprovalClaims {
  releaseId: string;
  environment: string;
  /** Epoch seconds. Also identifies the wait: a re-run of the release waits again with a new expiry. */
  expiresAt: number;
  /**
   * Optional; distinguishes two links of one wait. Derive it in the orchestration with
   * `context.df.newGuid()` so that replays produce the same link.
   */
  nonce?: string;
}
