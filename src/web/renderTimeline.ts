// Pure: where a release's time went. Per stage, its phases (StageStatus.phases: plan, the wait for an
// approver, the wait for another release's apply, the apply) as bars on one time axis from the release's
// start to its end (or now), plus the working/waiting split the stage box and details say in words.
// HTML and inline styles only: the pages' CSP (`default-src 'none'; style-src 'unsafe-inline'`) allows no
// script, and a style attribute is what places each bar.
import type { PhaseTime, StageStatus } from '../release/ReleaseStatus';
import { applySpans } from '../release/compactStatus';
import { displayName } from '../config/loadSettings';
import { formatDuration } from './format';
import { escapeHtml } from './html';

/** The stage-level phases; provision and the waves are drawn inside the apply's span (see applyParts). */
type Phase = 'plan' | 'approval' | 'lock' | 'apply';

/** The phases in the order they run, how the page names them, and whether a person or a lock held them. */
const PHASES: ReadonlyArray<{ phase: Phase; label: string; waiting: boolean }> = [
  { phase: 'plan', label: 'plan', waiting: false },
  { phase: 'approval', label: 'waiting for approval', waiting: true },
  { phase: 'lock', label: 'waiting for another release', waiting: true },
  { phase: 'apply', label: 'deploy', waiting: false },
];

/** A bar narrower than this (percent of the axis) would vanish; a 1 s plan in a 3-day release still shows. */
const MIN_BAR_PERCENT = 0.6;

/** How long a phase took, or has taken so far (unfinished: until `now`). */
function lengthOf(time: PhaseTime, now: Date): number {
  const end = time.finishedAt ? Date.parse(time.finishedAt) : now.getTime();
  return Math.max(0, end - Date.parse(time.startedAt));
}

/**
 * The working and the waiting time of a stage in words, e.g. `2 s working · 1 min 10 s waiting for
 * approval`; undefined for a stage without phases (a release started before they were recorded).
 */
export function describeStageTime(stage: StageStatus, now: Date): string | undefined {
  const phases = stage.phases;
  if (!phases) return undefined;
  let working = 0;
  const waits: string[] = [];
  for (const { phase, label, waiting } of PHASES) {
    const time = phases[phase];
    if (!time) continue;
    if (waiting) waits.push(`${formatDuration(lengthOf(time, now))} ${label}`);
    else working += lengthOf(time, now);
  }
  return [`${formatDuration(working)} working`, ...waits].join(' · ');
}

/** The phase a running stage is in now (the last one started and not finished), for "for 5 s". */
export function currentPhase(stage: StageStatus): PhaseTime | undefined {
  const phases = stage.phases;
  if (!phases) return undefined;
  const started = PHASES.map(({ phase }) => phases[phase]).filter((t): t is PhaseTime => t !== undefined);
  const last = started.at(-1);
  return last && !last.finishedAt ? last : undefined;
}

/** One bar: placed by its style attribute, its length in words in its tooltip and for screen readers. */
function bar(className: string, left: number, width: number, words: string, shown?: string): string {
  const text =
    shown === undefined ? '' : `<span class="part-name" aria-hidden="true">${escapeHtml(shown)}</span>`;
  return (
    `<span class="${className}" style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%" ` +
    `title="${escapeHtml(words)}">${text}<span class="sr">${escapeHtml(words)}</span></span>`
  );
}

/** The provision and wave spans of a stage's apply (deployEnvironment's timings), in the order they ran. */
function applyParts(stage: StageStatus): { label: string; time: PhaseTime }[] {
  return stage.phases ? applySpans(stage.phases) : [];
}

/**
 * The timeline section: one row per stage that has phases, each phase a bar placed on the release's time
 * axis, with its length in words beside the bar for screen readers and in its tooltip. Empty when no stage
 * has phases yet.
 */
export function renderTimeline(
  stages: readonly StageStatus[],
  releaseStartedAt: string,
  releaseFinishedAt: string | undefined,
  now: Date,
): string {
  const timed = stages.filter((s) => s.phases && Object.keys(s.phases).length > 0);
  if (timed.length === 0) return '';
  const from = Date.parse(releaseStartedAt);
  // A release that ended with a phase still open (its orchestration stopped) ends that phase at its end.
  const until = releaseFinishedAt ? new Date(releaseFinishedAt) : now;
  const to = until.getTime();
  const span = Math.max(1, to - from);
  const percent = (ms: number): number => Math.min(100, Math.max(0, (ms / span) * 100));
  const rows = timed.map((stage) => {
    const bars = PHASES.flatMap(({ phase, label }) => {
      const time = stage.phases?.[phase];
      if (!time) return [];
      const left = percent(Date.parse(time.startedAt) - from);
      const width = Math.max(MIN_BAR_PERCENT, Math.min(100 - left, percent(lengthOf(time, until))));
      const open = !time.finishedAt && !releaseFinishedAt;
      const words = `${label}: ${formatDuration(lengthOf(time, until))}${open ? ' so far' : ''}`;
      return [bar(`bar bar-${phase}`, left, width, words)];
    });
    // Provision and each wave as thinner bars over the deploy bar (older releases have none).
    const parts = applyParts(stage).map(({ label, time }) => {
      const left = percent(Date.parse(time.startedAt) - from);
      const width = Math.max(MIN_BAR_PERCENT, Math.min(100 - left, percent(lengthOf(time, until))));
      return bar('bar part', left, width, `${label}: ${formatDuration(lengthOf(time, until))}`, label);
    });
    return (
      `<li data-environment="${escapeHtml(stage.environment)}">` +
      `<span class="lane-name">${escapeHtml(displayName(stage.environment))}</span>` +
      `<span class="lane">${bars.join('')}${parts.join('')}</span></li>`
    );
  });
  const legend = PHASES.map(
    ({ phase, label }) =>
      `<span class="key"><span class="swatch bar-${phase}"></span>${escapeHtml(label)}</span>`,
  ).join('');
  return [
    '<section class="timeline">',
    '<h2>Timeline</h2>',
    `<p class="note">From the start of the release (${escapeHtml(formatDuration(span))}${releaseFinishedAt ? '' : ' so far'}); waiting is hatched.</p>`,
    `<ol class="lanes">${rows.join('')}</ol>`,
    `<p class="legend">${legend}</p>`,
    '</section>',
  ].join('\n');
}
