// Pure: what to release (a staged bundle, a source, optionally some environments) -> the orchestration
// input and its instance id. The id is derived, so a redelivered webhook or a double click starts nothing
// new; a deliberate re-run (the rollback of choice) names itself with `rerun`.
import { createHash } from 'node:crypto';
import type { ReleaseInput, ReleaseSource, SourceToFetch } from './ReleaseInput';
import type { Settings } from '../config/Settings';
import { instanceIdProblem } from '../config/instanceIdProblem';
import { SettingsError } from '../config/loadSettings';
import { releasePoliciesOf } from './ReleasePolicies';

export interface ReleaseRequest {
  /** A staged bundle, or a commit to fetch first (`fetch`): exactly one of them. */
  bundleId?: string;
  fetch?: SourceToFetch;
  source: ReleaseSource;
  /** Exactly these environments (in configured order). */
  environments?: string[];
  /** This environment and every later one. */
  from?: string;
  /** A label that makes a new release of a bundle that was released before (e.g. a timestamp). */
  rerun?: string;
}

export function releaseInputFor(settings: Settings, request: ReleaseRequest): ReleaseInput {
  const configured = settings.environments.map((e) => e.name);
  let chosen = configured;
  if (request.environments?.length) {
    const unknown = request.environments.filter((e) => !configured.includes(e));
    if (unknown.length)
      throw new SettingsError([
        `unknown environment(s) ${unknown.join(', ')}; configured: ${configured.join(', ')}`,
      ]);
    chosen = configured.filter((e) => request.environments?.includes(e));
  } else if (request.from) {
    const start = configured.indexOf(request.from);
    if (start < 0)
      throw new SettingsError([
        `unknown environment "${request.from}"; configured: ${configured.join(', ')}`,
      ]);
    chosen = configured.slice(start);
  }
  const scope = chosen.join(',') === configured.join(',') ? 'all' : chosen.join('+');
  if (!request.bundleId === !request.fetch)
    throw new SettingsError(['a release needs either a bundleId or a commit to fetch']);
  // A fetched commit is named by repository + commit, so a redelivered push finds its release.
  const what = request.fetch
    ? `${sourceKey(request.fetch)}@${request.fetch.commit}`
    : (request.bundleId ?? '');
  const key = createHash('sha256')
    .update(`${what}|${scope}|${request.rerun ?? ''}`)
    .digest('hex')
    .slice(0, 12);
  // One shape for every source, `release-<what>-<key>`: <what> is the commit (10 hex, as `git log --oneline`
  // shows more or less) when there is one, else the bundle (12 hex); the key keeps apart what the tag
  // alone does not (two bundles uploaded for one commit, a scope, a re-run).
  const tag = request.source.commit
    ? request.source.commit.slice(0, 10)
    : (request.bundleId ?? '').slice(0, 12);
  const releaseId = `release-${tag}-${key}`;
  const problem = instanceIdProblem(releaseId);
  if (problem) throw new SettingsError([`commit: ${problem}`]);
  return {
    releaseId,
    bundleId: request.bundleId ?? '',
    ...(request.fetch ? { fetch: request.fetch } : {}),
    source: request.source,
    environments: chosen,
    ...releasePoliciesOf(settings.environments.filter((e) => chosen.includes(e.name))),
    approvals: Object.fromEntries(
      settings.environments
        .filter((e) => chosen.includes(e.name))
        .map((e) => [
          e.name,
          {
            required: e.approval.required,
            timeoutInHours: e.approval.timeoutInHours,
            // Fixed when the release starts, like the rest: the orchestration counts to it deterministically.
            ...(e.approval.policy.quorum > 1 ? { quorum: e.approval.policy.quorum } : {}),
            ...(e.approval.policy.allowSelfApproval ? {} : { noSelfApproval: true as const }),
          },
        ]),
    ),
  };
}

function sourceKey(source: SourceToFetch): string {
  return source.kind === 'github'
    ? `github:${source.repository.toLowerCase()}`
    : `azureRepos:${source.organizationUrl.toLowerCase()}/${source.project.toLowerCase()}/${source.repositoryId.toLowerCase()}`;
}
