// Deterministic: a seed's chaos plan. From the seed alone (and what the fault-free run measured), so that a
// failing seed replays the same faults, kills and outage: the world's faults seeded with it, one or two
// worker kills (at a random time, between history commits, inside an activity, or during a ledger write),
// one storage outage of a few seconds at a random moment of the release, and one storage write whose answer is
// lost after it was applied.
import { parseFaultSpec } from '../emulator/FaultSpec';
import { seededRandom } from '../emulator/seededRandom';
import type { WorkerPlan } from './HostSupervisor';
import { RELEASES_CONTAINER } from '../../src/azure/ReleaseStorage';
import { LEDGER_CONTAINER, type ChaosPlan } from './runChaosRelease';

/** What a fault-free run of the bundle took, to place kills and the outage inside the release. */
export interface Baseline {
  durationMs: number;
  counts: { commits: number; activities: number; ledgerWrites: number; releaseWrites: number };
}

export const KILL_KINDS = ['time', 'commit', 'activity', 'ledger'] as const;

/**
 * Times are drawn over this multiple of the fault-free duration: under the default faults a release takes
 * 5-13x as long (measured: 39-67 s against 5.2 s, mostly the activities' 5 s first retry), so kills and the
 * outage land anywhere from Dev's plan to Prod's apply, not only in the first seconds.
 */
const TIME_SPREAD = 5;

export function planChaos(seed: number, baseline: Baseline, faults = 'default'): ChaosPlan {
  const random = seededRandom(seed);
  const between = (low: number, high: number): number => Math.floor(low + random() * (high - low + 1));
  const kills = random() < 0.5 ? 1 : 2;
  const workers: WorkerPlan[] = [];
  for (let i = 0; i < kills; i += 1) {
    const kind = KILL_KINDS[between(0, KILL_KINDS.length - 1)];
    // A later worker resumes part-way, so its points are drawn from the first half of the run's counts.
    const share = i === 0 ? 0.8 : 0.5;
    const { commits, activities, ledgerWrites } = baseline.counts;
    switch (kind) {
      case 'time':
        workers.push({ killAfterMs: between(0, Math.round(baseline.durationMs * TIME_SPREAD * share)) });
        break;
      case 'commit':
        workers.push({ crashPoint: `commit:${between(1, Math.max(1, Math.round(commits * share)))}` });
        break;
      case 'activity':
        workers.push({
          crashPoint: `activity:${between(1, Math.max(1, Math.round(activities * share)))}:${between(0, 300)}`,
        });
        break;
      default:
        workers.push({
          duringWrite: {
            container: LEDGER_CONTAINER,
            at: between(1, Math.max(1, Math.round(ledgerWrites * share))),
            when: random() < 0.5 ? 'before-applied' : 'after-applied',
          },
        });
    }
  }
  // Storage's own kind of reset-after: a write applied whose answer is lost (to the ledger or to the release
  // records: claims, decisions, status), which the app's storage SDK then retries.
  const toLedger = random() < 0.5;
  const writes = toLedger ? baseline.counts.ledgerWrites : baseline.counts.releaseWrites;
  const lostAnswer = {
    container: toLedger ? LEDGER_CONTAINER : RELEASES_CONTAINER,
    at: between(1, Math.max(1, writes)),
  };
  return {
    lostAnswer,
    faults: { spec: parseFaultSpec(faults), seed },
    workers,
    outage: {
      atMs: between(0, Math.round(baseline.durationMs * TIME_SPREAD * 0.8)),
      durationInMs: between(1000, 4000),
    },
    limitInMs: Math.max(180_000, baseline.durationMs * 20),
  };
}

/** One line per planned event, for the seed's report. */
export function describePlan(plan: ChaosPlan): string {
  const workers = plan.workers.map((w, i) => {
    const what = w.crashPoint
      ? `at ${w.crashPoint}`
      : w.killAfterMs !== undefined
        ? `${w.killAfterMs} ms after ready`
        : `during ${w.duringWrite?.container} write ${w.duringWrite?.at} (${w.duringWrite?.when})`;
    return `worker ${i + 1} killed ${what}`;
  });
  const outage = plan.outage ? [`storage down ${plan.outage.durationInMs} ms at ${plan.outage.atMs} ms`] : [];
  const lost = plan.lostAnswer
    ? [`the answer to ${plan.lostAnswer.container} write ${plan.lostAnswer.at} lost`]
    : [];
  return [...workers, ...outage, ...lost].join('; ');
}
