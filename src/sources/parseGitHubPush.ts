// Pure: a verified GitHub `push` payload -> deploy this commit, or ignore it (with the reason the sender
// sees in Recent Deliveries), or reject it as malformed, or refuse it as coming from a repository the
// operator did not name (BRICKLANE_GITHUB_REPOSITORY: an organization-level webhook, or a secret reused
// across repositories, signs pushes of every repository; issue 10). Only pushes that move the release
// branch of a named repository to a commit deploy: tags, other branches and deletions are ignored.
// Fields as in GitHub's webhook reference, "push": ref, after, deleted, repository.full_name, pusher, sender.
import { z } from 'zod';
import { isGitHubRepositoryName } from '../config/isGitHubRepositoryName';

export type GitHubPushDecision =
  | { action: 'deploy'; repository: string; commit: string; ref: string; requestedBy: string }
  | { action: 'ignore'; reason: string }
  | { action: 'reject'; problem: string }
  | { action: 'foreign'; problem: string };

const ZERO_SHA = /^0+$/;

const pushPayload = z.object({
  ref: z.string().min(1).max(1024),
  after: z.string().max(64).nullish(),
  deleted: z.boolean().optional(),
  repository: z.object({
    // Goes into an API path later: owner/name exactly as GitHub allows them.
    full_name: z.string().refine(isGitHubRepositoryName, 'must be owner/repository'),
  }),
  pusher: z.object({ name: z.string().max(256).optional() }).nullish(),
  sender: z.object({ login: z.string().max(256).optional() }).nullish(),
});

export function parseGitHubPush(
  payload: unknown,
  settings: { branch: string; repositories: readonly string[] },
): GitHubPushDecision {
  const { branch, repositories } = settings;
  const parsed = pushPayload.safeParse(payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`);
    return { action: 'reject', problem: `not a GitHub push payload: ${problems.join('; ')}` };
  }
  const push = parsed.data;
  // GitHub owner and repository names are case-insensitive (github.com/Codertocat/hello-world serves
  // Codertocat/Hello-World), so the configured spelling need not match the payload's.
  const received = push.repository.full_name;
  if (!repositories.some((r) => r.toLowerCase() === received.toLowerCase())) {
    return {
      action: 'foreign',
      problem:
        `the push comes from repository ${received}, not from ${repositories.join(', ') || '(none configured)'} ` +
        '(BRICKLANE_GITHUB_REPOSITORY): nothing was started',
    };
  }
  const wanted = `refs/heads/${branch}`;
  if (!push.ref.startsWith('refs/heads/')) {
    const what = push.ref.startsWith('refs/tags/') ? `tag ${push.ref.slice('refs/tags/'.length)}` : push.ref;
    return { action: 'ignore', reason: `push of ${what}: only pushes to branch ${branch} deploy` };
  }
  if (push.ref !== wanted) {
    return {
      action: 'ignore',
      reason: `push to branch ${push.ref.slice('refs/heads/'.length)}: only pushes to branch ${branch} deploy`,
    };
  }
  if (push.deleted) return { action: 'ignore', reason: `branch ${branch} was deleted: nothing to deploy` };
  const commit = push.after ?? '';
  if (!commit || ZERO_SHA.test(commit)) {
    return { action: 'ignore', reason: `push to branch ${branch} has no head commit: nothing to deploy` };
  }
  if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(commit)) {
    return { action: 'reject', problem: `after: "${commit.slice(0, 64)}" is not a commit sha` };
  }
  return {
    action: 'deploy',
    repository: push.repository.full_name,
    commit,
    ref: push.ref,
    requestedBy: push.pusher?.name || push.sender?.login || 'unknown pusher',
  };
}
