// I/O: the secrets wave. Each scope first (created Databricks-backed if missing, then its declared ACL entries
// put), then each secret whose Key Vault version changed: the value is read from the environment's vault with
// the app's identity, written with secrets/put, and dropped; the ledger keeps the Key Vault version id.
// A value never leaves this file: not in an outcome, a message, the ledger or a log.
// Why a Databricks-backed scope and not an Azure Key Vault-backed one: see planning/planSecrets.ts.
import { AzureAccessError } from '../../azure/AzureAccessError';
import { MissingSecretError } from '../../azure/MissingSecretError';
import { DatabricksAlreadyExistsError } from '../../databricks/DatabricksApiError';
import type { SecretKeyItem, SecretScopeItem } from '../../manifest/Bundle';
import type { PlanStep } from '../../planning/DeployPlan';
import type { LiveState } from '../../planning/LiveState';
import { aclsToPut } from '../../planning/planSecrets';
import type { ApplyContext, StepOutcome } from './ApplyContext';
import { errorMessage } from './ApplyContext';
import { createOnce } from './applySteps';
import { mapConcurrent } from './mapConcurrent';

export async function applySecrets(
  ctx: ApplyContext,
  steps: readonly PlanStep[],
  live: LiveState,
): Promise<StepOutcome[]> {
  const items = new Map(ctx.bundle.secrets.map((s) => [s.key, s]));
  const options = { abortSignal: ctx.abortSignal };
  const unchanged = steps
    .filter((s) => s.action === 'unchanged')
    .map((s): StepOutcome => ({ key: s.key, action: s.action, status: 'done' }));
  const changed = steps.filter((s) => s.action !== 'unchanged');
  const scopeSteps = changed.filter((s) => items.get(s.key)?.type === 'scope');
  const keySteps = changed.filter((s) => items.get(s.key)?.type !== 'scope');
  const scopeOutcomes = await mapConcurrent(
    scopeSteps,
    ctx.concurrency,
    async (step): Promise<StepOutcome> => {
      const item = items.get(step.key) as SecretScopeItem;
      try {
        if (step.action === 'create') {
          try {
            // After an ambiguous failure (a reset, a lost answer) the scope is looked up before creating again.
            await createOnce(
              () => ctx.client.createSecretScope(item.scope, options).then(() => item.scope),
              async () =>
                (await ctx.client.listSecretScopes(options)).some((s) => s.name === item.scope)
                  ? item.scope
                  : undefined,
            );
          } catch (error) {
            // A repeat after a lost answer: the scope is there, which is what the step makes.
            if (!(error instanceof DatabricksAlreadyExistsError)) throw error;
          }
        }
        const scope = live.secretScopes?.[item.scope] ?? { keys: {}, acls: {} };
        for (const acl of aclsToPut(item, scope)) {
          await ctx.client.putSecretAcl(item.scope, acl.principal, acl.permission, options);
        }
        ctx.ledger.entries[item.key] = { hash: item.sha256, target: item.scope, deployedAt: ctx.now() };
        return { key: step.key, action: step.action, status: 'done' };
      } catch (error) {
        return { key: step.key, action: step.action, status: 'failed', message: errorMessage(error) };
      }
    },
  );
  const failedScopes = new Set(
    scopeOutcomes.filter((o) => o.status !== 'done').map((o) => (items.get(o.key) as SecretScopeItem).scope),
  );
  const keyOutcomes = await mapConcurrent(keySteps, ctx.concurrency, async (step): Promise<StepOutcome> => {
    const item = items.get(step.key) as SecretKeyItem | undefined;
    if (!item) {
      return {
        key: step.key,
        action: step.action,
        status: 'failed',
        message: `no bundle item for ${step.key}`,
      };
    }
    if (failedScopes.has(item.scope)) {
      return {
        key: step.key,
        action: step.action,
        status: 'skipped',
        message: `skipped: secret scope ${item.scope} failed to deploy`,
      };
    }
    return copySecret(ctx, step, item);
  });
  return [...unchanged, ...scopeOutcomes, ...keyOutcomes];
}

/** Reads the value from Key Vault, writes it, records the version: the value lives only inside this function. */
async function copySecret(ctx: ApplyContext, step: PlanStep, item: SecretKeyItem): Promise<StepOutcome> {
  if (!ctx.vault) {
    return {
      key: step.key,
      action: step.action,
      status: 'failed',
      message: `secret ${item.scope}/${item.name} is copied from Key Vault, and this environment has no vault (token mode)`,
    };
  }
  let value = '';
  try {
    const read = await ctx.vault.read(item.vaultSecret);
    value = read.value;
    await ctx.client.putSecret(item.scope, item.name, value, { abortSignal: ctx.abortSignal });
    ctx.ledger.entries[item.key] = {
      hash: read.version,
      target: `${item.scope}/${item.name}`,
      deployedAt: ctx.now(),
    };
    return { key: step.key, action: step.action, status: 'done' };
  } catch (error) {
    // A vault read that failed for a reason a retry can fix (a dropped connection the SDK's own retries did not
    // get past) is thrown, so the activity is retried as every other transient failure is; a missing secret or
    // role is this item's failure, with its fix (chaos seed 265197).
    if (value === '' && !(error instanceof MissingSecretError || error instanceof AzureAccessError))
      throw error;
    // The messages name secrets, never values; should a server ever echo what it was sent, it is cut out here.
    const message = errorMessage(error);
    return {
      key: step.key,
      action: step.action,
      status: 'failed',
      message: value.length >= 4 ? message.split(value).join('***') : message,
    };
  }
}
