// Pure: the label and colour family of a release or stage state, shared by the badges and the diagram.
import type { ReleaseState, StageState } from '../release/ReleaseStatus';

export type StateTone = 'ok' | 'busy' | 'wait' | 'bad' | 'stale' | 'idle';

const STATES: Record<StageState | ReleaseState, { label: string; tone: StateTone }> = {
  pending: { label: 'Pending', tone: 'idle' },
  validating: { label: 'Validating', tone: 'busy' },
  planning: { label: 'Planning', tone: 'busy' },
  running: { label: 'Running', tone: 'busy' },
  waiting: { label: 'Waiting for approval', tone: 'wait' },
  approved: { label: 'Approved', tone: 'busy' },
  deploying: { label: 'Deploying', tone: 'busy' },
  succeeded: { label: 'Succeeded', tone: 'ok' },
  failed: { label: 'Failed', tone: 'bad' },
  invalid: { label: 'Invalid bundle', tone: 'bad' },
  rejected: { label: 'Rejected', tone: 'bad' },
  expired: { label: 'Expired', tone: 'stale' },
  superseded: { label: 'Superseded', tone: 'stale' },
  skipped: { label: 'Skipped', tone: 'idle' },
};

/** An unknown state (a newer orchestration, or a runtime status such as Terminated) shows as itself. */
export function describeState(state: string): { label: string; tone: StateTone } {
  return Object.hasOwn(STATES, state)
    ? STATES[state as StageState | ReleaseState]
    : { label: state, tone: 'idle' };
}
