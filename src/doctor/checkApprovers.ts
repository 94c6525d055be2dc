// Pure: whether anyone can approve an environment that waits for approval. The rule is resolveApprover's
// own, asked for an anonymous request: with an allow-list but without App Service Authentication, the
// approval page cannot tell who is deciding and refuses everyone, so the release would time out.
import { resolveApprover } from '../approvals/resolveApprover';
import type { EnvironmentSettings } from '../config/Settings';
import type { DoctorCheck } from './DoctorCheck';
import { settingFix, type DoctorRuntime } from './DoctorRuntime';

export function checkApprovers(env: EnvironmentSettings, runtime: DoctorRuntime): DoctorCheck {
  const base = { environment: env.name, name: 'approvers' };
  if (!env.approval.required)
    return { ...base, status: 'skip', detail: 'this environment deploys without approval' };
  const { approvers } = env.approval;
  const anonymous = resolveApprover(
    { get: () => null },
    { environment: env.name, approvers, easyAuthEnabled: runtime.easyAuthEnabled },
  );
  if (!anonymous.ok && anonymous.reason === 'authNotEnabled') {
    const app = `--name ${runtime.siteName ?? '<function-app>'} --resource-group ${runtime.resourceGroup ?? '<resource-group>'}`;
    return {
      ...base,
      status: 'fail',
      detail: `${approvers.join(', ')} may approve, but App Service Authentication is off: the approval page cannot verify anyone and refuses every decision`,
      // Unauthenticated requests must stay allowed, or webhooks and the blob trigger stop working.
      fix:
        `az webapp auth update ${app} --enabled true --unauthenticated-client-action AllowAnonymous ` +
        `(with an identity provider, e.g. az webapp auth microsoft update ${app} --client-id <app registration>), ` +
        `or ${settingFix(runtime, { [`BRICKLANE_${env.name.toUpperCase()}_APPROVERS`]: '""' })} to let anyone holding the link decide`,
    };
  }
  return {
    ...base,
    status: 'ok',
    detail:
      approvers.length > 0
        ? `${approvers.join(', ')}, signed in through App Service Authentication`
        : 'anyone holding the link (no allow-list); signed-in users are recorded by name',
  };
}
