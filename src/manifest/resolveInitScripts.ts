// Pure: points a cluster's `init_scripts` at the deployed copies of the bundle's init scripts.
// A destination that names a bundle script (`init-scripts/setup.sh`, `setup.sh`, or the seed's
// `dbfs:/init-scripts/setup.sh`) is rewritten to where bricklane deploys it, with the storage type
// that location needs (`workspace`, `volumes` or `dbfs`); anything absolute outside the bundle (volumes, abfss,
// file) passes through. A seed reference on DBFS that now deploys elsewhere is rewritten with a warning: DBFS init
// scripts are end-of-life (https://learn.microsoft.com/azure/databricks/init-scripts/#migrate-dbfs), and new
// accounts have no DBFS root.
// Cluster-scoped init scripts: https://learn.microsoft.com/azure/databricks/init-scripts/cluster-scoped
import type { BundleOptions, Diagnostic, ExternalInitScript, InitScriptItem } from './Bundle';
import { isRelativeReference, type ReferenceIndex } from './createReferenceIndex';
import { jsonPath } from './jsonPath';
import { SEED_DBFS_INIT_SCRIPT_ROOT } from './parseBundleOptions';

export interface InitScriptContext {
  file: string;
  options: BundleOptions;
  initScripts: readonly InitScriptItem[];
  index: ReferenceIndex<InitScriptItem>;
  pathOf?: (segments: readonly PropertyKey[]) => string;
}

export interface ResolvedInitScripts {
  value: unknown;
  /** Keys of the bundle init scripts referenced. */
  refs: string[];
  /** Locations outside the bundle the entries name, for the operator's boundaries (checkBoundaries.ts). */
  external: ExternalInitScript[];
  diagnostics: Diagnostic[];
}

const STORAGE_TYPES = ['workspace', 'volumes', 'abfss', 'dbfs', 'file', 's3', 'gcs'];

/** The `init_scripts` storage type of each deploy target (clusters/create InitScriptInfo). */
export const STORAGE_TYPE_OF_TARGET = { workspace: 'workspace', volume: 'volumes', dbfs: 'dbfs' } as const;

const MIGRATE_DBFS = 'https://learn.microsoft.com/azure/databricks/init-scripts/#migrate-dbfs';

export function resolveInitScripts(
  value: unknown,
  at: readonly PropertyKey[],
  ctx: InitScriptContext,
): ResolvedInitScripts {
  const pathOf = ctx.pathOf ?? jsonPath;
  const out: ResolvedInitScripts = { value, refs: [], external: [], diagnostics: [] };
  if (!Array.isArray(value)) return out; // the schema reports the wrong type
  const error = (segments: readonly PropertyKey[], code: string, summary: string): void => {
    out.diagnostics.push({ severity: 'error', code, file: ctx.file, path: pathOf(segments), summary });
  };
  const deployType = STORAGE_TYPE_OF_TARGET[ctx.options.initScriptTarget];
  const deployed = (item: InitScriptItem, from?: { type: string; destination: string; path: string }) => {
    out.refs.push(item.key);
    const value = { [deployType]: { destination: item.target } };
    if (from?.type === 'dbfs' && deployType !== 'dbfs') {
      out.diagnostics.push({
        severity: 'warning',
        code: 'INIT_SCRIPT_DBFS_REWRITTEN',
        file: ctx.file,
        path: from.path,
        summary: `Init script ${JSON.stringify(from.destination)} is on DBFS; it now deploys to ${item.target} and the reference becomes ${JSON.stringify(value)}, because DBFS init scripts are end-of-life (${MIGRATE_DBFS}). Write that reference in the file to silence this warning.`,
      });
    }
    return value;
  };
  const known = ctx.initScripts.map((s) => s.source).join(', ') || 'none';

  out.value = value.map((entry: unknown, i) => {
    const here = [...at, i];
    if (
      entry === null ||
      typeof entry !== 'object' ||
      Array.isArray(entry) ||
      Object.keys(entry).length !== 1
    ) {
      error(
        here,
        'INIT_SCRIPT_REF_INVALID',
        `Each init_scripts entry must be an object with exactly one storage type (${STORAGE_TYPES.join(', ')}), e.g. {"workspace": {"destination": "init-scripts/setup.sh"}}.`,
      );
      return entry;
    }
    const [type = '', info] = Object.entries(entry)[0] ?? [];
    const destination =
      info !== null && typeof info === 'object'
        ? (info as Record<string, unknown>)['destination']
        : undefined;
    if (typeof destination !== 'string' || destination === '') {
      error(
        [...here, type, 'destination'],
        'INIT_SCRIPT_REF_INVALID',
        `\`destination\` must be a non-empty string naming the script, e.g. "init-scripts/setup.sh".`,
      );
      return entry;
    }
    const destinationPath = pathOf([...here, type, 'destination']);
    const label = `Init script ${JSON.stringify(destination)}`;
    const external = (): unknown => {
      out.external.push({ type, destination, path: destinationPath });
      return entry;
    };

    if (isRelativeReference(destination)) {
      const found = ctx.index.resolve(destination);
      if (found.kind === 'found') return deployed(found.item);
      error(
        [...here, type, 'destination'],
        'INIT_SCRIPT_NOT_FOUND',
        `${label} is not a script in this bundle's init-scripts/ (found: ${known}); add the script or use an absolute location.`,
      );
      return entry;
    }

    const already = ctx.initScripts.find((s) => s.target === destination);
    if (already && type === deployType) return deployed(already);
    const seedPrefix = `${SEED_DBFS_INIT_SCRIPT_ROOT}/`;
    const ownPrefix = `${ctx.options.initScriptRoot}/`;
    // The bundle's own root first: the default DBFS root (dbfs:/init-scripts/<project>) is inside the seed's.
    const prefix = destination.startsWith(ownPrefix)
      ? ownPrefix
      : destination.startsWith(seedPrefix)
        ? seedPrefix
        : undefined;
    if (prefix === undefined) return external();
    const found = ctx.index.resolve(destination.slice(prefix.length));
    if (found.kind === 'found') return deployed(found.item, { type, destination, path: destinationPath });
    out.diagnostics.push({
      severity: 'warning',
      code: 'INIT_SCRIPT_OUTSIDE_BUNDLE',
      file: ctx.file,
      path: destinationPath,
      summary: `${label} is in ${prefix.slice(0, -1)}, where init scripts are deployed, but init-scripts/ has no such script (found: ${known}); it is left unchanged — add the script to init-scripts/ or correct the name.`,
    });
    return external();
  });
  out.refs = [...new Set(out.refs)].sort();
  return out;
}
