// I/O: the permissions wave, after the objects it sets permissions on (planning/waves.ts). Each step names one
// object: a job, cluster or policy this deploy recorded in the ledger, or the deployed notebook folder. Declared
// entries are added or updated with PATCH, which keeps entries bricklane did not declare; an authoritative list
// replaces the direct entries with PUT, keeping the object's owner (IS_OWNER: jobs/create makes the deploying
// identity the owner, and a job always has one). Both are safe to repeat. The ledger records the declared
// entries' hash, so a redeploy whose entries are all live writes nothing.
import type { AccessControlRequest } from '../../databricks/permissionsApi';
import type { PermissionsItem } from '../../manifest/Bundle';
import type { PlanStep } from '../../planning/DeployPlan';
import type { ApplyContext, StepOutcome } from './ApplyContext';
import { applySteps } from './applySteps';
import { directEntriesOf } from './readAccessControl';

export async function applyPermissions(
  ctx: ApplyContext,
  steps: readonly PlanStep[],
): Promise<StepOutcome[]> {
  const options = { abortSignal: ctx.abortSignal };
  return applySteps(ctx, 'permissions', steps, ctx.bundle.permissions, async (step, item) => {
    const objectId = await objectIdOf(ctx, item, step);
    const acl: AccessControlRequest[] = item.entries.map((e) => ({ ...e }));
    if (step.action !== 'unchanged') {
      if (item.authoritative) {
        const live = await ctx.client.getPermissions(item.objectType, objectId, options);
        const owners = directEntriesOf(live).filter((e) => e.permission_level === 'IS_OWNER');
        const declaresOwner = acl.some((e) => e.permission_level === 'IS_OWNER');
        await ctx.client.setPermissions(
          item.objectType,
          objectId,
          [...(declaresOwner ? [] : owners), ...acl],
          options,
        );
      } else await ctx.client.updatePermissions(item.objectType, objectId, acl, options);
    }
    return { id: `${item.objectType}/${objectId}`, hash: item.sha256 };
  });
}

/**
 * The object's id in this workspace: what the plan read, else what the waves before recorded in the ledger (a job
 * or cluster created by this deploy), else (the folder) its workspace object id.
 */
async function objectIdOf(ctx: ApplyContext, item: PermissionsItem, step: PlanStep): Promise<string> {
  const planned = step.liveId?.slice(step.liveId.indexOf('/') + 1);
  if (planned) return planned;
  if (item.objectType === 'directories') {
    const status = await ctx.client.getWorkspaceObjectStatus(item.target, { abortSignal: ctx.abortSignal });
    if (!status || status.object_type !== 'DIRECTORY')
      throw new Error(`folder ${item.target} does not exist`);
    return String(status.object_id);
  }
  const id = ctx.ledger.entries[item.object]?.target;
  if (id === undefined) throw new Error(`${item.object} was not deployed, so its permissions cannot be set`);
  return id;
}
