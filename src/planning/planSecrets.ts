// Pure: the steps of the bundle's secret scopes and the secrets copied into them, against the live scopes
// (keys and ACLs, never values) and the current Key Vault versions. A copied secret is compared by the Key
// Vault version id the ledger recorded when it was written, so a redeploy writes only the secrets whose
// version changed, and a rotated secret costs exactly one secrets/put. No value is ever in a plan: Key Vault
// version ids and key names only.
//
// Why copy into a Databricks-backed scope instead of creating an Azure Key Vault-backed one: creating a Key
// Vault-backed scope needs a Microsoft Entra ID token of a user (secrets/scopes/create answers "Scope with Azure
// KeyVault must have userAADToken defined!" otherwise: kb.databricks.com, "Creating an Azure Key Vault-backed
// secret scope with the Databricks CLI fails with a userAADToken error"), so the deployer's service principal or
// managed identity cannot create one unattended; it also needs Contributor or Owner on the vault, and makes the
// whole vault readable through the scope, the deployer's own credential included
// (https://learn.microsoft.com/azure/databricks/security/secrets/secret-scopes, "Azure Key Vault-backed scopes").
// A Databricks-backed scope holds only the secrets the bundle names, and Key Vault stays the source of truth.
import type { Bundle, SecretItem, SecretKeyItem, SecretScopeItem } from '../manifest/Bundle';
import { sha256OfJson } from '../manifest/sha256OfJson';
import { createStep } from './createStep';
import type { PlanStep } from './DeployPlan';
import type { Ledger } from './Ledger';
import type { LiveSecretScope, LiveState } from './LiveState';
import { WAVE_OF_KIND } from './waves';

export interface SecretPlan {
  steps: PlanStep[];
  warnings: string[];
}

export function planSecrets(desired: Bundle, live: LiveState, ledger: Ledger): SecretPlan {
  if (desired.secrets.length === 0) return { steps: [], warnings: [] };
  const versions = live.vaultVersions;
  if (!versions) {
    const files = [...new Set(desired.secrets.map((s) => s.source))].join(', ');
    return {
      steps: [],
      warnings: [
        `${files}: secrets are not copied to ${ledger.environment}: it has no Key Vault (token mode); deploy with an Azure auth mode, whose environment vault holds the secrets.`,
      ],
    };
  }
  const steps = desired.secrets.map((item) =>
    item.type === 'scope' ? planScope(item, live, ledger) : planKey(item, versions, live, ledger),
  );
  return { steps, warnings: unknownKeys(desired, live, ledger) };
}

function planScope(item: SecretScopeItem, live: LiveState, ledger: Ledger): PlanStep {
  const entry = ledger.entries[item.key];
  const base = { key: item.key, kind: 'secrets' as const, wave: WAVE_OF_KIND.secrets, target: item.scope };
  const scope = live.secretScopes?.[item.scope];
  if (!scope) {
    const diff = item.acls.map((a) => ({ path: `acls.${a.principal}`, after: a.permission }));
    return { ...createStep(base, entry !== undefined), diff };
  }
  const differing = aclsToPut(item, scope);
  if (differing.length === 0)
    return { ...base, action: 'unchanged', reason: 'scope exists; ACL entries match' };
  const drift = entry?.hash === item.sha256 ? `changed outside bricklane: acls` : undefined;
  return {
    ...base,
    action: 'update',
    changes: ['acls'],
    diff: differing.map((a) => ({
      path: `acls.${a.principal}`,
      ...(scope.acls[a.principal] === undefined ? {} : { before: scope.acls[a.principal] }),
      after: a.permission,
    })),
    reason: 'ACL entries differ',
    ...(drift ? { drift } : {}),
  };
}

function planKey(
  item: SecretKeyItem,
  versions: Readonly<Record<string, string>>,
  live: LiveState,
  ledger: Ledger,
): PlanStep {
  const entry = ledger.entries[item.key];
  const base = {
    key: item.key,
    kind: 'secrets' as const,
    wave: WAVE_OF_KIND.secrets,
    target: `${item.scope}/${item.name}`,
  };
  const present = live.secretScopes?.[item.scope]?.keys[item.name] !== undefined;
  if (!present) return createStep(base, entry !== undefined);
  if (!entry) {
    return {
      ...base,
      action: 'update',
      reason: `exists in the scope but bricklane did not write it; overwritten from Key Vault secret ${item.vaultSecret}`,
      drift: 'written outside bricklane',
    };
  }
  if (entry.hash !== versions[item.vaultSecret]) {
    return { ...base, action: 'update', reason: `Key Vault secret ${item.vaultSecret} has a new version` };
  }
  return { ...base, action: 'unchanged', reason: 'same Key Vault version as deployed' };
}

/** The declared ACL entries the live scope does not have as declared (undeclared entries are left alone). */
export function aclsToPut(item: SecretScopeItem, scope: LiveSecretScope): SecretScopeItem['acls'] {
  return item.acls.filter((a) => scope.acls[a.principal] !== a.permission);
}

/** Keys in a scope the bundle manages that neither the bundle nor the ledger knows: shown, and kept. */
function unknownKeys(desired: Bundle, live: LiveState, ledger: Ledger): string[] {
  const known = new Set([
    ...desired.secrets.map((s) => s.key),
    ...Object.keys(ledger.entries).filter((k) => k.startsWith('secrets.')),
  ]);
  return desired.secrets
    .filter((s): s is SecretScopeItem => s.type === 'scope')
    .flatMap((s) => {
      const keys = Object.keys(live.secretScopes?.[s.scope]?.keys ?? {}).filter(
        (k) => !known.has(`secrets.${s.scope}/${k}`),
      );
      return keys.length === 0
        ? []
        : [
            `secret scope ${s.scope} holds ${keys.sort().join(', ')}, which bricklane did not write and the bundle does not name (drift); kept as they are.`,
          ];
    });
}

/** The state a secrets step was planned on, for PlanBasis: presence, ACL entries, Key Vault version. */
export function secretBasisOf(item: SecretItem, live: LiveState): string {
  if (!live.secretScopes) return 'not read';
  const scope = live.secretScopes[item.scope];
  if (item.type === 'scope') {
    if (!scope) return 'absent';
    const declared = item.acls.map((a) => [a.principal, scope.acls[a.principal] ?? null]);
    return `scope, acls ${sha256OfJson(declared).slice(0, 16)}`;
  }
  const present = scope?.keys[item.name] !== undefined ? 'present' : 'absent';
  return `${present}, Key Vault ${item.vaultSecret} version ${live.vaultVersions?.[item.vaultSecret] ?? 'not read'}`;
}

/** Whether a secrets step's effect is in place (applyWave: a retried batch that already wrote it). */
export function secretEffectOf(
  item: SecretItem,
  live: LiveState,
  ledger: Ledger,
): { ledgerHasPlannedHash: boolean; liveMatchesDesired: boolean } {
  const entry = ledger.entries[item.key];
  const scope = live.secretScopes?.[item.scope];
  if (item.type === 'scope') {
    return {
      ledgerHasPlannedHash: entry?.hash === item.sha256,
      liveMatchesDesired: scope ? aclsToPut(item, scope).length === 0 : false,
    };
  }
  return {
    ledgerHasPlannedHash: entry !== undefined && entry.hash === live.vaultVersions?.[item.vaultSecret],
    liveMatchesDesired: scope?.keys[item.name] !== undefined,
  };
}
