// Pure: a plan as text for people (CLI output, approval mail). Unchanged items are counted, not listed.
import { RESOURCE_KINDS } from '../manifest/Bundle';
import type { DeployPlan, PlanAction } from './DeployPlan';

const MARK: Record<PlanAction, string> = {
  create: '+',
  update: '~',
  delete: '-',
  unchanged: '=',
  adopt: '!',
};

/** Kinds added after the seed's (secrets, policies, permissions): rows only for plans that have some. */
const LATER_KINDS: readonly string[] = ['secrets', 'policies', 'permissions'];

export function formatPlan(plan: DeployPlan): string {
  const totals = { create: 0, update: 0, unchanged: 0, delete: 0, drift: 0, adopt: 0 };
  for (const kind of RESOURCE_KINDS) {
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += plan.summary[kind]?.[k] ?? 0;
  }
  const lines = [
    `Plan for ${plan.environment}: ${totals.create} to create, ${totals.update} to update, ` +
      `${totals.delete} to delete, ${totals.unchanged} unchanged` +
      (totals.adopt > 0 ? `, ${totals.adopt} to adopt` : '') +
      (totals.drift > 0 ? `, ${totals.drift} drifted` : ''),
  ];
  for (const kind of RESOURCE_KINDS) {
    const s = plan.summary[kind];
    // A kind added later (secrets) is listed only when the plan has some: the seed's bundles show the rows they always did.
    if (
      !s ||
      (LATER_KINDS.includes(kind) && s.create + s.update + s.unchanged + s.delete + (s.adopt ?? 0) === 0)
    )
      continue;
    lines.push(
      `  ${kind.padEnd(12)} create ${s.create}  update ${s.update}  delete ${s.delete}  unchanged ${s.unchanged}` +
        (s.adopt ? `  adopt ${s.adopt}` : '') +
        (s.drift > 0 ? `  drift ${s.drift}` : ''),
    );
  }
  for (const step of plan.steps) {
    // An unchanged step with drift (a permission added by hand, kept) is listed: the drift is news.
    if (step.action === 'unchanged' && !step.drift) continue;
    const changes = step.changes?.length ? ` (${step.changes.join(', ')})` : '';
    const drift = step.drift ? ` [drift: ${step.drift}]` : '';
    lines.push(`  ${MARK[step.action]} ${step.key}${changes}: ${step.reason}${drift}`);
  }
  for (const warning of plan.warnings ?? []) lines.push(`  warning: ${warning}`);
  return lines.join('\n');
}
