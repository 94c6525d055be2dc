// Pure: a valid bundle as one environment deploys it when the operator chose where that environment's init
// scripts go (BRICKLANE_<ENV>_INIT_SCRIPT_TARGET, Boundaries.initScriptTarget) over the bundle's own
// `initScriptTarget`: each script moves to that target's folder, and every reference to it in a cluster or a
// job's cluster, which validation resolved to the bundle's choice (the seed's `dbfs:/init-scripts/...` ones
// included, resolveInitScripts.ts), points at this environment's copy with the storage type the target needs
// (clusters/create InitScriptInfo: `workspace`, `volumes`, `dbfs`). A workspace that still needs DBFS keeps it;
// another environment of the same release moves on. The operator's roots still bound the result
// (checkBoundaries.ts holds each environment's retargeted bundle to them).
import type { Bundle, ClusterItem, JobItem } from './Bundle';
import type { InitScriptTargetChoice } from './Boundaries';
import { STORAGE_TYPE_OF_TARGET } from './resolveInitScripts';
import { sha256OfJson } from './sha256OfJson';

const MIGRATE_DBFS = 'https://learn.microsoft.com/azure/databricks/init-scripts/#migrate-dbfs';

/**
 * `bundle` as the environment deploys it; its `environmentWarnings` say what changed and which setting chose
 * it. The same bundle when nothing changes.
 */
export function retargetInitScripts(bundle: Bundle, choice: InitScriptTargetChoice | undefined): Bundle {
  if (!choice) return bundle;
  const { initScriptTarget: from, initScriptRoot: fromRoot } = bundle.options;
  // The bundle's own folder when it chose the same target (a sub-folder it picked stays), else the operator's.
  const root = choice.target === from && choice.target !== 'volume' ? fromRoot : choice.root;
  if (choice.target === from && root === fromRoot) return bundle;
  const moved = new Map<string, string>();
  const initScripts = bundle.initScripts.map((item) => {
    const target = `${root}/${item.target.slice(fromRoot.length + 1)}`;
    moved.set(item.target, target);
    return { ...item, target };
  });
  const fromType = STORAGE_TYPE_OF_TARGET[from];
  const toType = STORAGE_TYPE_OF_TARGET[choice.target];
  const files = new Set<string>();
  const rewrite = <T extends ClusterItem | JobItem>(item: T, body: Record<string, unknown>): T => {
    const rewritten = retargetReferences(body, fromType, toType, moved) as Record<string, unknown>;
    if (rewritten === body) return item;
    files.add(item.source);
    return 'spec' in item
      ? { ...item, spec: rewritten, sha256: sha256OfJson(rewritten) }
      : { ...item, settings: rewritten, sha256: sha256OfJson(rewritten) };
  };
  const clusters = bundle.clusters.map((c) => rewrite(c, c.spec));
  const jobs = bundle.jobs.map((j) => rewrite(j, j.settings));
  const references =
    files.size > 0
      ? `; the references in ${[...files].sort().join(', ')} point at ${toType} copies there`
      : '';
  const dbfs = choice.target === 'dbfs' ? `; DBFS init scripts are end-of-life (${MIGRATE_DBFS})` : '';
  return {
    ...bundle,
    options: { ...bundle.options, initScriptTarget: choice.target, initScriptRoot: root },
    initScripts,
    clusters,
    jobs,
    environmentWarnings: [
      ...(bundle.environmentWarnings ?? []),
      `init scripts deploy to ${root} here, as ${choice.setting} chooses over bricklane.json's ${from} (${fromRoot})${references}${dbfs}.`,
    ],
  };
}

/**
 * `value` with each `init_scripts` entry that names a moved script (`{"<fromType>": {"destination": <old>}}`)
 * naming its new place; the same object when nothing moved.
 */
function retargetReferences(
  value: unknown,
  fromType: string,
  toType: string,
  moved: ReadonlyMap<string, string>,
): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => retargetReferences(v, fromType, toType, moved));
    return items.some((v, i) => v !== value[i]) ? items : value;
  }
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(object)) {
    const next =
      key === 'init_scripts' && Array.isArray(child)
        ? retargetEntries(child, fromType, toType, moved)
        : retargetReferences(child, fromType, toType, moved);
    if (next !== child) changed = true;
    out[key] = next;
  }
  return changed ? out : value;
}

function retargetEntries(
  entries: readonly unknown[],
  fromType: string,
  toType: string,
  moved: ReadonlyMap<string, string>,
): unknown[] {
  const out = entries.map((entry) => {
    const info = (entry as Record<string, unknown> | null)?.[fromType] as Record<string, unknown> | undefined;
    const target = typeof info?.['destination'] === 'string' ? moved.get(info['destination']) : undefined;
    return target === undefined ? entry : { [toType]: { destination: target } };
  });
  return out.some((e, i) => e !== entries[i]) ? out : (entries as unknown[]);
}
