// Pure: the field-level diff of a cluster spec or job settings against the live object, by the rules the
// plan compares with (isSubsetEqual): only the fields the bundle sets count, so what the server fills in
// (default_tags, autotermination_minutes, format, ...) never shows as a change, and arrays compare item by
// item, their lengths included.
import { jsonPath } from '../manifest/jsonPath';
import type { FieldChange, PlanStep } from './DeployPlan';
import { isSubsetEqual } from './isSubsetEqual';
import { safetyTopicOf } from './summarizeSafety';

/**
 * Fields shown as one value: their meaning is the whole list or object (who has which permission, which
 * scripts run, who the job runs as), not one leaf of it.
 */
const WHOLE_FIELDS: ReadonlySet<string> = new Set(['access_control_list', 'run_as', 'init_scripts']);

/** A step keeps at most this many field changes; a job with 300 tasks must not make the plan unreadable. */
export const MAX_STEP_FIELD_CHANGES = 50;
/** Strings longer than this are cut (an inline script, a long parameter). */
export const MAX_VALUE_CHARS = 200;
/** Lists and objects inside a value keep this many items. */
export const MAX_VALUE_ITEMS = 20;
const MAX_VALUE_DEPTH = 4;

/** Every field of `desired` that `live` does not match, in path order (live undefined: everything is new). */
export function diffFields(desired: unknown, live: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  walk(desired, live, [], out);
  return out;
}

/** An update's diff, bounded; safety-relevant fields go first so the cut never drops them before others. */
export function updateDiff(desired: unknown, live: unknown): Pick<PlanStep, 'diff' | 'diffOmitted'> {
  const all = diffFields(desired, live);
  const safetyFirst = [
    ...all.filter((c) => safetyTopicOf(c.path)),
    ...all.filter((c) => !safetyTopicOf(c.path)),
  ];
  return bounded(safetyFirst);
}

/** A create's diff: its safety-relevant fields only (the rest is new, and the bundle file says it). */
export function createDiff(desired: unknown): Pick<PlanStep, 'diff' | 'diffOmitted'> {
  return bounded(diffFields(desired, undefined).filter((c) => safetyTopicOf(c.path)));
}

/**
 * Fields whose value may be a credential (`spark_conf["fs.azure.account.key.x"]`, an env var `DB_PASSWORD`):
 * the plan is shown to whoever holds the approval link, so their values are hidden, except a Databricks
 * secret reference (`{{secrets/<scope>/<key>}}`, https://learn.microsoft.com/azure/databricks/security/secrets/),
 * which names the secret and not its value.
 */
export const SENSITIVE_FIELD =
  /secret|passw(?:or)?d|pwd|token|credential|access[._-]?key|account\.key|private[._-]?key/i;
export const SECRET_REFERENCE = /^\{\{secrets\/[^/{}]+\/[^/{}]+\}\}$/;
export const HIDDEN_VALUE = '(hidden: may be a credential)';

function bounded(changes: FieldChange[]): Pick<PlanStep, 'diff' | 'diffOmitted'> {
  if (changes.length === 0) return {};
  const shown = (path: string, value: unknown): unknown =>
    SENSITIVE_FIELD.test(path) && !(typeof value === 'string' && SECRET_REFERENCE.test(value))
      ? HIDDEN_VALUE
      : boundValue(value);
  const diff = changes.slice(0, MAX_STEP_FIELD_CHANGES).map((c) => ({
    path: c.path,
    ...(c.before !== undefined ? { before: shown(c.path, c.before) } : {}),
    ...(c.after !== undefined ? { after: shown(c.path, c.after) } : {}),
  }));
  const omitted = changes.length - diff.length;
  return omitted > 0 ? { diff, diffOmitted: omitted } : { diff };
}

/** A JSON value cut to a readable size: long strings end in `…`, long lists and objects say what is left out. */
export function boundValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_VALUE_DEPTH) return Array.isArray(value) ? ['…'] : { '…': '…' };
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_VALUE_ITEMS).map((v) => boundValue(v, depth + 1));
    return value.length > MAX_VALUE_ITEMS ? [...kept, `… ${value.length - MAX_VALUE_ITEMS} more`] : kept;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const kept = entries.slice(0, MAX_VALUE_ITEMS).map(([k, v]) => [k, boundValue(v, depth + 1)] as const);
  if (entries.length > MAX_VALUE_ITEMS) kept.push(['…', `${entries.length - MAX_VALUE_ITEMS} more`]);
  return Object.fromEntries(kept);
}

function walk(desired: unknown, live: unknown, segments: PropertyKey[], out: FieldChange[]): void {
  if (isSubsetEqual(desired, live)) return;
  const name = segments.at(-1);
  const whole = typeof name === 'string' && WHOLE_FIELDS.has(name);
  const before = out.length;
  if (!whole && isRecord(desired) && (live === undefined || isRecord(live))) {
    for (const key of Object.keys(desired).sort()) walk(desired[key], live?.[key], [...segments, key], out);
  } else if (!whole && Array.isArray(desired) && (live === undefined || Array.isArray(live))) {
    desired.forEach((item, i) => walk(item, live?.[i], [...segments, i], out));
    // The plan compares lengths too: live items past the bundle's are removed.
    for (let i = desired.length; i < (live?.length ?? 0); i++) {
      out.push({ path: pathText([...segments, i]), before: live?.[i] });
    }
  }
  // A value the walk cannot split (a leaf, a type change, an empty object) differs as a whole.
  if (out.length === before) {
    out.push({
      path: pathText(segments),
      ...(live !== undefined ? { before: live } : {}),
      ...(desired !== undefined ? { after: desired } : {}),
    });
  }
}

/** `tasks[0].new_cluster.num_workers`: the JSON path without its `$`. */
function pathText(segments: readonly PropertyKey[]): string {
  const path = jsonPath(segments);
  return path.startsWith('$.') ? path.slice(2) : path.slice(1);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
