// Pure: one cluster policy of the bundle against the live workspace and the ledger -> its plan step.
// A policy is found by the id the ledger recorded, else by name (names are unique in a workspace). The API
// keeps `definition` as a string and may format it its own way, so definitions compare parsed.
import type { PolicyItem } from '../manifest/Bundle';
import { canonicalJson } from '../manifest/canonicalJson';
import { createStep } from './createStep';
import type { PlanStep } from './DeployPlan';
import { createDiff, updateDiff } from './diffFields';
import { differingKeys } from './isSubsetEqual';
import type { Ledger } from './Ledger';
import { findLive, type LivePolicy, type LiveState } from './LiveState';
import { WAVE_OF_KIND } from './waves';

export function planPolicy(p: PolicyItem, live: LiveState, ledger: Ledger): PlanStep {
  const entry = ledger.entries[p.key];
  const found = findLivePolicy(p, live, entry?.target);
  const base = { key: p.key, kind: 'policies' as const, wave: WAVE_OF_KIND.policies, target: p.name };
  const desired = comparablePolicy(p.spec);
  if (!found) return { ...createStep(base, entry !== undefined), ...createDiff(desired) };
  const liveSpec = comparablePolicy(found.spec);
  // A rule added to the live definition by hand is a change too, so definitions compare whole, not as a subset.
  const { definition, ...fields } = desired;
  const changes = [
    ...differingKeys(fields, liveSpec),
    ...(canonicalJson(definition) === canonicalJson(liveSpec['definition']) ? [] : ['definition']),
  ].sort();
  const liveId = found.policy_id;
  if (changes.length === 0) return { ...base, action: 'unchanged', liveId, reason: 'live policy matches' };
  const drift =
    entry && entry.hash === p.sha256 ? `changed outside bricklane: ${changes.join(', ')}` : undefined;
  return {
    ...base,
    action: 'update',
    liveId,
    changes,
    ...updateDiff(desired, liveSpec),
    reason: 'policy changed',
    ...(drift ? { drift } : {}),
  };
}

export function findLivePolicy(
  p: PolicyItem,
  live: LiveState,
  ledgerId: string | undefined,
): LivePolicy | undefined {
  return findLive(
    live.policies ?? [],
    ledgerId,
    (x) => x.policy_id,
    (x) => x.name === p.name,
  );
}

/**
 * The fields bricklane sets, with `definition` parsed (a live one that is not JSON stays a string, and so
 * differs). Fields the bundle leaves out are left out of the comparison by differingKeys.
 */
export function comparablePolicy(spec: Record<string, unknown>): Record<string, unknown> {
  const { definition, ...rest } = spec;
  if (typeof definition !== 'string') return { ...rest, definition };
  try {
    return { ...rest, definition: JSON.parse(definition) as unknown };
  } catch {
    return { ...rest, definition };
  }
}
