// Pure: whether anyone can approve an environment that waits for approval. The rule is resolveApprover's
// own, asked for an anonymous request: with an allow-list but without App Service Authentication, the
// approval page cannot tell who is deciding and refuses everyone, so the release would time out. The same holds
// for approver groups (read from the sign-in's claims), a quorum above one (an anonymous decision cannot be
// counted as a distinct approver) and an explicit ALLOW_SELF_APPROVAL=false (nobody can tell who asked).
import { resolveApprover } from '../approvals/resolveApprover';
import type { EnvironmentSettings } from '../config/Settings';
import type { DoctorCheck } from './DoctorCheck';
import { settingFix, type DoctorRuntime } from './DoctorRuntime';

export function checkApprovers(env: EnvironmentSettings, runtime: DoctorRuntime): DoctorCheck {
  const base = { environment: env.name, name: 'approvers' };
  if (!env.approval.required)
    return { ...base, status: 'skip', detail: 'this environment deploys without approval' };
  const { approvers } = env.approval;
  const { quorum, groups, selfApprovalStrict } = env.approval.policy;
  const anonymous = resolveApprover(
    { get: () => null },
    { environment: env.name, approvers, groups, easyAuthEnabled: runtime.easyAuthEnabled },
  );
  const app = `--name ${runtime.siteName ?? '<function-app>'} --resource-group ${runtime.resourceGroup ?? '<resource-group>'}`;
  // Unauthenticated requests must stay allowed, or webhooks and the blob trigger stop working.
  const enableAuth =
    `az webapp auth update ${app} --enabled true --unauthenticated-client-action AllowAnonymous ` +
    `(with an identity provider, e.g. az webapp auth microsoft update ${app} --client-id <app registration>)`;
  const prefix = `BRICKLANE_${env.name.toUpperCase()}`;
  if (!anonymous.ok && anonymous.reason === 'authNotEnabled') {
    const who = [...approvers, ...groups.map((g) => `members of group ${g}`)].join(', ');
    return {
      ...base,
      status: 'fail',
      detail: `${who} may approve, but App Service Authentication is off: the approval page cannot verify anyone and refuses every decision`,
      fix: `${enableAuth}, or ${settingFix(runtime, { [`${prefix}_APPROVERS`]: '""', ...(groups.length > 0 ? { [`${prefix}_APPROVER_GROUPS`]: '""' } : {}) })} to let anyone holding the link decide`,
    };
  }
  if (!runtime.easyAuthEnabled && (quorum > 1 || selfApprovalStrict)) {
    const rule =
      quorum > 1
        ? `${quorum} distinct approvers are required, but App Service Authentication is off: an anonymous decision cannot be counted as a distinct approver`
        : 'self-approval is refused explicitly (ALLOW_SELF_APPROVAL=false), but App Service Authentication is off: nobody can be told apart from whoever asked for the release';
    return {
      ...base,
      status: 'fail',
      detail: `${rule}, so every release would wait here until its approval expires`,
      fix: `${enableAuth}, or ${settingFix(runtime, quorum > 1 ? { [`${prefix}_APPROVALS_REQUIRED`]: '1' } : { [`${prefix}_ALLOW_SELF_APPROVAL`]: '""' })}`,
    };
  }
  return {
    ...base,
    status: 'ok',
    detail:
      approvers.length > 0
        ? `${approvers.join(', ')}, signed in through App Service Authentication`
        : groups.length > 0
          ? `members of ${groups.join(', ')}, signed in through App Service Authentication`
          : 'anyone holding the link (no allow-list); signed-in users are recorded by name',
  };
}
