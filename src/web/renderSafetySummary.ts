// Pure: the plan's safety review as HTML (who jobs run as, permissions, git sources, init scripts, cluster
// sizes and policies, deletes, adoptions), shown above the plan's list, and the field diff of one step
// (old -> new). Every value comes from a bundle or a live workspace, so all of it is escaped.
import type { DeployPlan, FieldChange, PlanStep } from '../planning/DeployPlan';
import {
  SAFETY_TOPICS,
  describePrincipal,
  summarizeSafety,
  type SafetyChange,
  type SafetyTopic,
} from '../planning/summarizeSafety';
import { MAX_ITEMS_PER_KIND } from './format';
import { escapeHtml } from './html';

const TOPIC_LABELS: Record<SafetyTopic, string> = {
  runAs: 'Runs as',
  permissions: 'Permissions',
  gitSource: 'Git source',
  initScripts: 'Init scripts',
  clusterSize: 'Cluster size',
  policy: 'Cluster policy',
};

/** A value on the page stays short: the stored plan already bounds it, this bounds its text. */
const MAX_SHOWN_CHARS = 300;

/** The safety review of a plan; undefined plan: says that it cannot be shown. */
export function renderSafetySummary(plan: Pick<DeployPlan, 'steps'> | undefined): string {
  const head = '<section class="safety" id="safety"><h2>Safety review</h2>';
  if (!plan) {
    return (
      `${head}<p class="notice">The detailed plan could not be read, so who jobs run as, permissions, init ` +
      'scripts and cluster sizes cannot be shown. Approve only if you know what this release changes.</p></section>'
    );
  }
  const summary = summarizeSafety(plan);
  const parts: string[] = [];
  for (const topic of SAFETY_TOPICS) {
    const changes = summary.changes.filter((c) => c.topic === topic);
    if (changes.length > 0) parts.push(group(TOPIC_LABELS[topic], topic, changes.map(renderChange)));
  }
  const stepGroups: Array<[string, string, PlanStep[]]> = [
    ['Deleted', 'delete', summary.deletes],
    [
      'Adopted (in the workspace, not deployed by bricklane; overwritten only where adoption is allowed)',
      'adopt',
      summary.adoptions,
    ],
  ];
  for (const [title, action, steps] of stepGroups) {
    if (steps.length > 0)
      parts.push(
        group(
          title,
          action,
          steps.map((s) => stepLine(s, action)),
        ),
      );
  }
  if (summary.cut.length > 0) {
    parts.push(
      `<p class="note">The field list of ${summary.cut.map(code).join(', ')} is cut; ` +
        'the bundle files show the rest.</p>',
    );
  }
  if (parts.length === 0) {
    parts.push(
      '<p class="note">Nothing in this plan sets who a job runs as, permissions, git sources, init scripts, ' +
        'cluster sizes or policies, and nothing is deleted or adopted.</p>',
    );
  }
  return `${head}\n${parts.join('\n')}\n</section>`;
}

/** The field diff of a cluster or job step: one line per field, old -> new. */
export function renderFieldDiff(step: Pick<PlanStep, 'diff' | 'diffOmitted'>): string {
  if (!step.diff || step.diff.length === 0) return '';
  const items = step.diff.map(
    (c) => `<li>${code(c.path)} ${renderValue(c.before, 'before')} → ${renderValue(c.after, 'after')}</li>`,
  );
  if (step.diffOmitted) items.push(`<li class="note">… and ${step.diffOmitted} more fields</li>`);
  return `<ul class="diff">${items.join('')}</ul>`;
}

function group(title: string, topic: string, items: string[]): string {
  const shown = items.slice(0, MAX_ITEMS_PER_KIND);
  if (items.length > MAX_ITEMS_PER_KIND) {
    shown.push(`<li class="note">… and ${items.length - MAX_ITEMS_PER_KIND} more</li>`);
  }
  return `<h3>${escapeHtml(title)}</h3><ul class="safety-list" data-topic="${escapeHtml(topic)}">${shown.join('')}</ul>`;
}

function stepLine(step: PlanStep, action: string): string {
  return `<li>${badge(action)}${code(step.target)}<span class="sub">${escapeHtml(step.kind)}</span></li>`;
}

function renderChange(change: SafetyChange): string {
  const where =
    `${badge(change.action)}${code(change.target)}<span class="sub">${escapeHtml(change.kind)}</span>` +
    (isTopField(change) ? '' : ` ${code(change.path)}`);
  if (change.permissions) {
    const lines = change.permissions.map(
      (p) =>
        `<li>${escapeHtml(p.principal)}: ${levelText(p.before, 'before')} → ${levelText(p.after, 'after')}</li>`,
    );
    const list =
      lines.length > 0 ? lines.join('') : '<li class="note">entries reordered; no level changes</li>';
    return `<li>${where}<ul class="diff">${list}</ul></li>`;
  }
  const text = (v: unknown): string => describeValue(change.topic, v);
  return `<li>${where}: ${wrap(change.before, text, 'before')} → ${wrap(change.after, text, 'after')}</li>`;
}

/** `run_as` and `init_scripts` read better as principals and destinations than as JSON. */
function describeValue(topic: SafetyTopic, value: unknown): string {
  if (topic === 'runAs') return describePrincipal(value) ?? json(value);
  if (topic === 'initScripts' && Array.isArray(value)) {
    return value.map((script) => describeInitScript(script) ?? json(script)).join(', ');
  }
  return json(value);
}

/** `{ "workspace": { "destination": "/Shared/x.sh" } }` -> `workspace /Shared/x.sh`. */
function describeInitScript(script: unknown): string | undefined {
  if (typeof script !== 'object' || script === null) return undefined;
  const entries = Object.entries(script as Record<string, unknown>);
  const [type, where] = entries[0] ?? [];
  if (entries.length !== 1 || typeof where !== 'object' || where === null) return undefined;
  const destination = (where as Record<string, unknown>).destination;
  return typeof destination === 'string' ? `${type} ${destination}` : undefined;
}

function isTopField(change: SafetyChange): boolean {
  return ['run_as', 'run_as_user_name', 'access_control_list', 'init_scripts'].includes(change.path);
}

function renderValue(value: FieldChange['before'], side: 'before' | 'after'): string {
  return wrap(value, json, side);
}

function wrap(value: unknown, text: (v: unknown) => string, side: 'before' | 'after'): string {
  if (value === undefined) return '<em class="unset">not set</em>';
  const shown = clip(text(value));
  return side === 'before' ? `<del>${escapeHtml(shown)}</del>` : `<ins>${escapeHtml(shown)}</ins>`;
}

function levelText(level: string | undefined, side: 'before' | 'after'): string {
  if (level === undefined) return '<em class="unset">none</em>';
  return side === 'before' ? `<del>${escapeHtml(level)}</del>` : `<ins>${escapeHtml(level)}</ins>`;
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function clip(text: string): string {
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}

function badge(action: string): string {
  return `<span class="badge ${escapeHtml(action)}">${escapeHtml(action)}</span>`;
}

function code(value: string): string {
  return `<code>${escapeHtml(value)}</code>`;
}
