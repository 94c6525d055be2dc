// Pure: what a stage's published status leaves out because its readers can tell it, so that a status grows
// with what happened rather than with the kinds and waves bricklane knows (boundReleaseStatus publishes it):
// - plan counts: per kind only the counts that are not zero, and only the kinds that have one. A plan's counts
//   are mostly zeros (a first deploy creates, a redeploy leaves unchanged); the status and approval pages read
//   a missing count as 0 (countsOf).
// - wave spans: the waves of an apply run one after another, so a wave's start is the end of the span before
//   it (the provision's, the wave's before, or the apply's start); it is left out when it is, and the timeline
//   reads it from there (applySpans).
import type { ResourceKind } from '../manifest/Bundle';
import type { KindSummary } from '../planning/DeployPlan';
import type { PhaseTime, PlanCounts, StagePhases, WaveTime } from './ReleaseStatus';

/** `summary` without its zero counts, and without the kinds that are left with none. */
export function compactPlanCounts(summary: PlanCounts): PlanCounts {
  const compact: PlanCounts = {};
  for (const [kind, counts] of Object.entries(summary) as [ResourceKind, Partial<KindSummary>][]) {
    const nonZero = Object.entries(counts).filter(([, n]) => n !== 0 && n !== undefined);
    if (nonZero.length > 0) compact[kind] = Object.fromEntries(nonZero) as Partial<KindSummary>;
  }
  return compact;
}

/** One kind's counts with every missing count read as 0 (`adopt` stays absent when there is none). */
export function countsOf(counts: PlanCounts | undefined, kind: ResourceKind): KindSummary {
  const c = counts?.[kind] ?? {};
  return {
    create: c.create ?? 0,
    update: c.update ?? 0,
    unchanged: c.unchanged ?? 0,
    delete: c.delete ?? 0,
    drift: c.drift ?? 0,
    ...(c.adopt ? { adopt: c.adopt } : {}),
  };
}

/** `phases` with each wave's `startedAt` left out where it is the end of the span before it. */
export function compactWaves(phases: StagePhases): StagePhases {
  if (!phases.waves) return phases;
  let before = phases.provision?.finishedAt ?? phases.apply?.startedAt;
  const waves = phases.waves.map((wave): WaveTime => {
    const { startedAt, ...rest } = wave;
    const compact = startedAt === undefined || startedAt === before ? rest : wave;
    before = wave.finishedAt;
    return compact;
  });
  return { ...phases, waves };
}

/** The provision and wave spans of an apply, in the order they ran, each wave's start read back. */
export function applySpans(phases: StagePhases): { label: string; time: PhaseTime }[] {
  const spans: { label: string; time: PhaseTime }[] = [];
  if (phases.provision) spans.push({ label: 'provision', time: phases.provision });
  let before = phases.provision?.finishedAt ?? phases.apply?.startedAt;
  for (const { wave, startedAt = before, finishedAt } of phases.waves ?? []) {
    if (startedAt !== undefined) {
      spans.push({ label: wave, time: { startedAt, ...(finishedAt !== undefined ? { finishedAt } : {}) } });
    }
    before = finishedAt;
  }
  return spans;
}
