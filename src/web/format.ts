// Pure: how values read on the pages, as plain text (the callers escape it): resource kinds, release and
// stage states, source kinds, durations and times.
import type { ResourceKind } from '../manifest/Bundle';
import type { ReleaseState, StageState } from '../release/ReleaseStatus';

/** How the pages name each kind of resource. */
export const KIND_LABELS: Record<ResourceKind, string> = {
  initScripts: 'Init scripts',
  policies: 'Cluster policies',
  clusters: 'Clusters',
  secrets: 'Secrets',
  notebooks: 'Notebooks',
  files: 'Workspace files',
  jobs: 'Jobs',
  permissions: 'Permissions',
};

/** A page with thousands of rows is unreadable on a phone; the counts above a list stay exact. */
export const MAX_ITEMS_PER_KIND = 200;

/** The colour family of a state, shared by the badges and the diagram. */
export type StateTone = 'ok' | 'busy' | 'wait' | 'bad' | 'stale' | 'idle';

const STATES: Record<StageState | ReleaseState, { label: string; tone: StateTone }> = {
  pending: { label: 'Pending', tone: 'idle' },
  validating: { label: 'Validating', tone: 'busy' },
  planning: { label: 'Planning', tone: 'busy' },
  running: { label: 'Running', tone: 'busy' },
  waiting: { label: 'Waiting for approval', tone: 'wait' },
  approved: { label: 'Approved', tone: 'busy' },
  deploying: { label: 'Deploying', tone: 'busy' },
  checking: { label: 'Running checks', tone: 'busy' },
  succeeded: { label: 'Succeeded', tone: 'ok' },
  failed: { label: 'Failed', tone: 'bad' },
  invalid: { label: 'Invalid bundle', tone: 'bad' },
  rejected: { label: 'Rejected', tone: 'bad' },
  expired: { label: 'Expired', tone: 'stale' },
  superseded: { label: 'Superseded', tone: 'stale' },
  skipped: { label: 'Skipped', tone: 'idle' },
  rollingBack: { label: 'Rolling back', tone: 'busy' },
  rolledBack: { label: 'Rolled back', tone: 'bad' },
  holding: { label: 'Held by a policy', tone: 'wait' },
};

/**
 * The label and colour family of a release or stage state. An unknown state (a newer orchestration, or a
 * runtime status such as Terminated) shows as itself.
 */
export function describeState(state: string): { label: string; tone: StateTone } {
  return Object.hasOwn(STATES, state)
    ? STATES[state as StageState | ReleaseState]
    : { label: state, tone: 'idle' };
}

const SOURCE_LABELS: Record<string, string> = {
  upload: 'bundle upload',
  github: 'GitHub push',
  azureRepos: 'Azure Repos push',
  manual: 'manual run',
};

/** How a release's source kind reads on a page. */
export function sourceLabel(kind: string): string {
  return Object.hasOwn(SOURCE_LABELS, kind) ? (SOURCE_LABELS[kind] ?? kind) : kind;
}

/** A duration for people: `45 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`. */
export function formatDuration(milliseconds: number): string {
  if (!Number.isFinite(milliseconds) || milliseconds < 0) return '–';
  const seconds = Math.round(milliseconds / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A time for people in several time zones: `2026-11-27 10:00:05 UTC`. */
export function formatUtc(time: Date | string): string {
  const date = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(date.getTime())) return String(time);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
