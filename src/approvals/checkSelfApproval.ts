// Pure: may this approver decide on a release they asked for themselves? The requester is who the source
// names (ReleaseSource.requestedBy, with its kind), the approver who App Service Authentication signed in
// (resolveApprover). The two come from different identity systems, so they are compared only where a field
// means the same person on both sides:
// - Azure Repos: `resource.pushedBy.uniqueName` is the pusher's sign-in name ("domain\user" for a few
//   account types); in an organization backed by Microsoft Entra ID it is their user principal name, which is
//   compared with the approver's `upn` claim. (`pushedBy.id` is an Azure DevOps identity id, not the Entra
//   object id, so it is not compared.) https://learn.microsoft.com/azure/devops/service-hooks/events#git.push
// - GitHub: `pusher.name` / `sender.login` is a GitHub login, which no Entra claim holds. The operator maps
//   logins to Entra users with BRICKLANE_IDENTITY_MAP (`github:mona=mona@contoso.com` or an object id). The
//   payload's `pusher.email` is not used: it is the address the pusher's git client or GitHub profile
//   gives (often a users.noreply.github.com one), which nobody verified against the tenant, so a match would
//   prove little and a miss nothing; the map is the operator's explicit statement.
//   https://docs.github.com/webhooks/webhook-events-and-payloads#push
// - A manual release: the caller of startRelease as App Service Authentication named them (a UPN, else a
//   display name or object id); a function-key caller is nobody in particular and cannot be compared.
// - A bundle upload: the blob records no uploader, and the blob trigger hands the function the blob and its
//   metadata, not the Event Grid event (whose StorageBlobCreatedEventData does carry an `identity` of the
//   requester: a later change could pass it on). What is knowable today is the `requestedby` metadata the
//   uploader chose to set (a CI system sets it to the person who ran it). It catches honest mistakes, not
//   someone hiding on purpose: for that, let only CI upload.
//   https://learn.microsoft.com/javascript/api/@azure/eventgrid/storageblobcreatedeventdata
// Never compared: display names (anyone may share one) and e-mail claims of the approver ("never use it for
// authorization", resolveApprover.ts).
import type { ReleaseSource } from '../release/ReleaseInput';
import type { IdentityMap } from '../config/readApprovalPolicy';

/** Who is deciding, as resolveApprover found them (only Entra ID users carry an object id or UPN). */
export interface DeciderIdentity {
  authenticated: boolean;
  objectId?: string;
  upn?: string;
}

export type SelfApprovalCheck = { ok: true } | { ok: false; reason: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Names that say nobody in particular asked (parseGitHubPush, parseAzureReposPush, startRelease). */
const NOBODY = new Set(['unknown pusher', 'function key holder', 'unknown']);

const WHAT_THEY_DID: Record<ReleaseSource['kind'], string> = {
  github: 'you pushed this commit',
  azureRepos: 'you pushed this commit',
  manual: 'you requested this release',
  upload: 'you uploaded this bundle',
};

/**
 * Identities of the requester, as `<kind>:<value>` lower-case: the source's own name for them
 * (`github:mona`, `azurerepos:...`, `manual:...`, `upload:...`), plus `upn:`/`oid:` where the value is one.
 */
export function requesterIdentities(source: ReleaseSource): string[] {
  const name = source.requestedBy?.trim().toLowerCase();
  const ids: string[] = [];
  if (name && !NOBODY.has(name)) {
    ids.push(`${source.kind.toLowerCase()}:${name}`);
    // "Windows Live ID\user@example.com": the account type before the backslash is not part of the name.
    const bare = name.includes('\\') ? name.slice(name.lastIndexOf('\\') + 1) : name;
    if (source.kind !== 'github' && bare.includes('@')) ids.push(`upn:${bare}`);
    if (source.kind === 'manual' && GUID.test(bare)) ids.push(`oid:${bare}`);
  }
  return ids;
}

export function checkSelfApproval(
  source: ReleaseSource,
  decider: DeciderIdentity,
  identityMap: IdentityMap,
  strict: boolean,
): SelfApprovalCheck {
  const did = WHAT_THEY_DID[source.kind];
  if (!decider.authenticated || (decider.objectId === undefined && decider.upn === undefined)) {
    // Nobody can tell whether an anonymous link holder is the requester. By default that is the link's own
    // policy (anyone holding it); when the operator turned self-approval off explicitly, it is refused.
    return strict
      ? {
          ok: false,
          reason:
            'sign in with Microsoft Entra ID: this environment refuses approvals from whoever asked for the ' +
            'release, which nobody can check for an anonymous link holder',
        }
      : { ok: true };
  }
  const mine = new Set<string>();
  if (decider.objectId) mine.add(`oid:${decider.objectId.toLowerCase()}`);
  if (decider.upn) mine.add(`upn:${decider.upn.toLowerCase()}`);
  for (const id of requesterIdentities(source)) {
    const mapped = identityMap[id];
    const candidates = [id, ...(mapped ? [GUID.test(mapped) ? `oid:${mapped}` : `upn:${mapped}`] : [])];
    if (candidates.some((c) => mine.has(c))) {
      return { ok: false, reason: `${did}; someone else must approve` };
    }
  }
  return { ok: true };
}
