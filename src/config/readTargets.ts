// Pure: an environment deployed to several workspaces, a ring (issue 16 part 3). BRICKLANE_<ENV>_TARGETS=weu,neu,eus
// names the targets in deploy order: the first is the canary. Each target is a workspace of its own, with its
// placement read from BRICKLANE_<ENV>_<TARGET>_<SETTING> (subscription, location, resource group, workspace, vault,
// SKU, token-mode URL and token), else the environment's value (subscription, location, SKU, token), else the
// environment's name with `-<target>` after it (resource group, workspace, vault: the seed's naming with a suffix;
// the seed's vault name leaves one of Key Vault's 24 characters free, so a target's shortens the project part to fit:
// KeyVault-MyProj-Prod-weu).
// Everything else (approval, boundaries, checks, rollback, notices) is the environment's: one approval covers the
// ring. Each target is read by the environment's own reader (loadSettings readEnvironment) over the environment's
// settings with the target's placement laid over them, so a target is held to exactly the rules an environment
// is, and its problems name the target's setting.
import type { EnvironmentSettings } from './Settings';

type Values = Readonly<Record<string, string | undefined>>;

/** Lower-case letters and digits, starting with a letter: it names settings, ledgers, locks and instance ids. */
const TARGET_NAME = /^[a-z][a-z0-9]{0,11}$/;
/** The status carries one entry per target (boundReleaseStatus): 20 fit its budget. */
export const MAX_TARGETS = 20;
const DEFAULT_PARALLEL = 4;
/** Between an environment and its target in a target's key (`prod.weu`): never in an environment's name. */
const TARGET_SEPARATOR = '.';
/** A target's own settings; the rest are the environment's. */
const PLACEMENT = [
  'SUBSCRIPTION_ID',
  'LOCATION',
  'RESOURCE_GROUP',
  'WORKSPACE_NAME',
  'WORKSPACE_SKU',
  'KEY_VAULT',
  'WORKSPACE_URL',
  'DATABRICKS_TOKEN',
] as const;
/** Named after the environment's with the target as suffix when the target sets none. */
const SUFFIXED: Partial<Record<(typeof PLACEMENT)[number], string>> = {
  RESOURCE_GROUP: 'Databricks-',
  WORKSPACE_NAME: 'Databricks-',
  KEY_VAULT: 'KeyVault-',
};

/**
 * The key a target's workspace goes by wherever an environment's does (activities, ledger, plans, apply lock,
 * known good, instance ids): `prod.weu`. The dot is valid in durable instance ids (config/instanceIdProblem.ts)
 * and blob names, and never in an environment name, so a target's key is never an environment's.
 */
export function targetKey(environment: string, target: string): string {
  return `${environment}${TARGET_SEPARATOR}${target}`;
}

/** The workspaces an environment deploys to, canary first: its ring's targets, or the environment alone. */
export function ringOf(environment: EnvironmentSettings): EnvironmentSettings[] {
  return environment.ring?.targets ?? [environment];
}

/** What is wrong with `names` as a ring's targets (the setting `key` lists them); [] when nothing is. */
export function targetListProblems(names: readonly string[], key: string): string[] {
  const problems = names
    .filter((n) => !TARGET_NAME.test(n))
    .map(
      (t) =>
        `${key}: "${t}" is not a valid target name (lower-case letters and digits, starting with a letter, at most 12)`,
    );
  if (new Set(names).size !== names.length) problems.push(`${key}: a target is listed twice`);
  if (names.length === 0 || names.length > MAX_TARGETS)
    problems.push(`${key} must name 1 to ${MAX_TARGETS} targets, got ${names.length}`);
  return problems;
}

/**
 * Reads environment `name` with `read` (the environment reader, given the settings to read and where to put
 * problems). Without BRICKLANE_<ENV>_TARGETS that is all; with it, each target is read over its placement, and
 * the environment is its canary's settings under the environment's name, with the ring.
 * `seedSuffix` is the seed's `<project>-<Env>` that names the environment's resources by default.
 */
export function readTargets(
  values: Values,
  name: string,
  seedSuffix: string,
  problems: string[],
  read: (values: Values, problems: string[]) => EnvironmentSettings | undefined,
): EnvironmentSettings | undefined {
  const prefix = `BRICKLANE_${name.toUpperCase()}_`;
  const setting = (key: string): string | undefined => values[`${prefix}${key}`]?.trim() || undefined;
  const listed = setting('TARGETS');
  if (listed === undefined) return read(values, problems);
  const names = listed
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const before = problems.length;
  problems.push(...targetListProblems(names, `${prefix}TARGETS`));
  const parallelText = setting('TARGETS_PARALLEL');
  const parallel = Number(parallelText ?? DEFAULT_PARALLEL);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > MAX_TARGETS)
    problems.push(
      `${prefix}TARGETS_PARALLEL must be an integer from 1 to ${MAX_TARGETS}, got "${parallelText}"`,
    );
  if (problems.length > before) return undefined;

  const targets: EnvironmentSettings[] = [];
  for (const target of names) {
    const own = `${prefix}${target.toUpperCase()}_`;
    const overlay: Record<string, string | undefined> = { ...values };
    for (const key of PLACEMENT) {
      const value = values[`${own}${key}`]?.trim() || undefined;
      const base = SUFFIXED[key];
      // A workspace URL is one workspace's: a target never inherits the environment's.
      overlay[`${prefix}${key}`] =
        value ??
        (key === 'KEY_VAULT' && setting(key) === undefined
          ? seedVaultName(seedSuffix, target)
          : base !== undefined
            ? `${setting(key) ?? `${base}${seedSuffix}`}-${target}`
            : key === 'WORKSPACE_URL'
              ? undefined
              : setting(key));
    }
    const found: string[] = [];
    const env = read(overlay, found);
    // The reader names the environment's settings; a placement problem is the target's setting.
    for (const problem of found) {
      const named = PLACEMENT.reduce((p, key) => p.split(`${prefix}${key}`).join(`${own}${key}`), problem);
      if (!problems.includes(named)) problems.push(named);
    }
    if (env) targets.push({ ...env, name: targetKey(name, target) });
  }
  const canary = targets[0];
  if (problems.length > before || !canary) return undefined;
  return { ...canary, name, ring: { targets, parallel } };
}

/** Key Vault names have at most 24 characters (azureNameRules.ts KEY_VAULT_RULE). */
const VAULT_NAME_LIMIT = 24;

/**
 * The seed's vault name with the target as suffix, `KeyVault-<project>-<Env>-<target>`, its project part shortened
 * as far as the name needs to fit (`KeyVault-MyProj-Prod-weu`); a name that cannot fit is refused by the vault rule.
 */
function seedVaultName(seedSuffix: string, target: string): string {
  const split = seedSuffix.lastIndexOf('-');
  const project = seedSuffix.slice(0, split);
  const tail = `${seedSuffix.slice(split)}-${target}`;
  const room = VAULT_NAME_LIMIT - 'KeyVault-'.length - tail.length;
  return `KeyVault-${project.slice(0, Math.max(1, room)).replace(/[^A-Za-z0-9]+$/, '')}${tail}`;
}
