// Pure: an environment's approval policy beyond "required, who, how long" (issue 17): a quorum of distinct
// approvers, approver groups, and whether the person who asked for the release may approve it.
//
// Settings, per environment:
// - BRICKLANE_<ENV>_APPROVALS_REQUIRED: distinct approvers needed (1 to 10, default 1). With an allow-list
//   and no groups it cannot exceed the list, or the wait could never end.
// - BRICKLANE_<ENV>_APPROVER_GROUPS: Microsoft Entra group object ids; a member of one may approve, as may
//   anyone on BRICKLANE_<ENV>_APPROVERS. Object ids only: that is what Entra ID puts in the `groups` claim
//   unless the app registration is set to emit names, and names are neither unique nor stable.
//   https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-fed-group-claims
// - BRICKLANE_<ENV>_ALLOW_SELF_APPROVAL: true lets the person who pushed, started or uploaded the release
//   approve it. Default: false for the last environment of BRICKLANE_ENVIRONMENTS when there are two or
//   more ("Prod": what a release reaches last, whatever the operator calls it), true elsewhere, and true
//   when there is a single environment (a sandbox or a dev-only app has nobody else to ask).
// - BRICKLANE_IDENTITY_MAP (app-wide): who a source's user is in Entra ID, for the self-approval check:
//   `github:<login>=<upn or object id>` pairs, comma-separated. A GitHub login and an Entra sign-in name
//   never match by themselves; see approvals/isSelfApproval.ts.

export interface ApprovalPolicySettings {
  /** Distinct approvers needed; one rejection ends the wait whatever the count. */
  quorum: number;
  /** Entra group object ids (lower-case) whose members may approve, besides the allow-list. */
  groups: string[];
  /** Whether the release's requester may approve it. */
  allowSelfApproval: boolean;
  /**
   * True when the operator set ALLOW_SELF_APPROVAL=false themselves: then a decider who is not signed in is
   * refused (nobody can tell whether they asked for the release). The default only refuses identified
   * requesters, so that an app without App Service Authentication keeps working with anonymous links.
   */
  selfApprovalStrict: boolean;
}

/** `<source kind>:<name in that source>` (lower-case) -> Entra UPN or object id (lower-case). */
export type IdentityMap = Readonly<Record<string, string>>;

export const DEFAULT_APPROVAL_POLICY: ApprovalPolicySettings = {
  quorum: 1,
  groups: [],
  allowSelfApproval: true,
  selfApprovalStrict: false,
};

const MAX_QUORUM = 10;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IDENTITY_KINDS = ['github', 'azurerepos', 'upload', 'manual'];

type Values = Readonly<Record<string, string | undefined>>;

export function readApprovalPolicy(
  values: Values,
  environment: string,
  position: { index: number; count: number },
  approvers: readonly string[],
  problems: string[],
): ApprovalPolicySettings {
  const prefix = `BRICKLANE_${environment.toUpperCase()}_`;
  const value = (key: string): string | undefined => values[`${prefix}${key}`]?.trim() || undefined;

  const quorumText = value('APPROVALS_REQUIRED');
  const quorum = Number(quorumText ?? '1');
  const groups = (value('APPROVER_GROUPS') ?? '')
    .split(',')
    .map((g) => g.trim().toLowerCase())
    .filter(Boolean);
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > MAX_QUORUM) {
    problems.push(
      `${prefix}APPROVALS_REQUIRED must be a whole number from 1 to ${MAX_QUORUM}, got "${quorumText}"`,
    );
  } else if (approvers.length > 0 && groups.length === 0 && quorum > new Set(approvers).size) {
    problems.push(
      `${prefix}APPROVALS_REQUIRED is ${quorum}, but ${prefix}APPROVERS lists ${new Set(approvers).size} ` +
        `approver(s): the wait could never end. Add approvers (or ${prefix}APPROVER_GROUPS), or lower the count`,
    );
  }
  const notGuids = groups.filter((g) => !GUID.test(g));
  if (notGuids.length > 0) {
    problems.push(
      `${prefix}APPROVER_GROUPS must list Microsoft Entra group object ids (GUIDs), got "${notGuids.join(', ')}"`,
    );
  }
  const selfText = value('ALLOW_SELF_APPROVAL');
  if (selfText !== undefined && selfText !== 'true' && selfText !== 'false') {
    problems.push(`${prefix}ALLOW_SELF_APPROVAL must be true or false, got "${selfText}"`);
  }
  const isProd = position.count > 1 && position.index === position.count - 1;
  return {
    quorum: Number.isInteger(quorum) && quorum >= 1 && quorum <= MAX_QUORUM ? quorum : 1,
    groups,
    allowSelfApproval: selfText === undefined ? !isProd : selfText === 'true',
    selfApprovalStrict: selfText === 'false',
  };
}

/** BRICKLANE_IDENTITY_MAP: `github:mona=mona@contoso.com,github:hubot=<object id>`. */
export function readIdentityMap(values: Values, problems: string[]): IdentityMap {
  const map: Record<string, string> = {};
  for (const pair of (values.BRICKLANE_IDENTITY_MAP ?? '').split(',').map((p) => p.trim())) {
    if (!pair) continue;
    const match = /^([a-z]+):([^=\s]+)=([^=\s]+)$/i.exec(pair);
    const kind = match?.[1]?.toLowerCase() ?? '';
    if (!match || !IDENTITY_KINDS.includes(kind)) {
      problems.push(
        `BRICKLANE_IDENTITY_MAP: "${pair.slice(0, 80)}" is not <source>:<name>=<Entra UPN or object id> ` +
          `(source one of ${IDENTITY_KINDS.join(', ')}), e.g. github:mona=mona@contoso.com`,
      );
      continue;
    }
    map[`${kind}:${(match[2] ?? '').toLowerCase()}`] = (match[3] ?? '').toLowerCase();
  }
  return map;
}
