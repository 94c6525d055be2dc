// Pure: finds bundle items from the relative references that cluster and job files may use.
// A reference is bundle-relative (`notebooks/etl/ingest.py`) or relative to the item's folder
// (`etl/ingest.py`, `./etl/ingest`); the notebook extension may be left out, as on the workspace.
import { posix } from 'node:path';
import { extensionOf, SOURCE_NOTEBOOK_LANGUAGES } from './collectWorkspaceItems';

export type ReferenceResult<T> =
  { kind: 'found'; item: T } | { kind: 'missing' } | { kind: 'ambiguous'; items: T[] } | { kind: 'outside' };

export interface ReferenceIndex<T> {
  resolve(reference: string): ReferenceResult<T>;
}

const NOTEBOOK_EXTENSIONS = new Set([...Object.keys(SOURCE_NOTEBOOK_LANGUAGES), 'ipynb']);

/** True for `etl/ingest`, false for `/Shared/x`, `dbfs:/x`, `abfss://...`. */
export function isRelativeReference(value: string): boolean {
  return !value.startsWith('/') && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value);
}

export function createReferenceIndex<T extends { source: string }>(
  folder: 'notebooks' | 'init-scripts',
  items: readonly T[],
): ReferenceIndex<T> {
  const byName = new Map<string, T[]>();
  const add = (name: string, item: T): void => {
    const list = byName.get(name) ?? [];
    if (!list.includes(item)) list.push(item);
    byName.set(name, list);
  };
  for (const item of items) {
    const relative = item.source.slice(folder.length + 1);
    add(relative, item);
    const extension = extensionOf(relative);
    if (folder === 'notebooks' && NOTEBOOK_EXTENSIONS.has(extension))
      add(relative.slice(0, -extension.length - 1), item);
  }
  return {
    resolve(reference) {
      const normalized = posix.normalize(reference);
      if (normalized === '..' || normalized.startsWith('../')) return { kind: 'outside' };
      const names = normalized.startsWith(`${folder}/`)
        ? [normalized.slice(folder.length + 1), normalized]
        : [normalized];
      for (const name of names) {
        const found = byName.get(name.replace(/\/+$/, ''));
        if (found?.length === 1 && found[0] !== undefined) return { kind: 'found', item: found[0] };
        if (found !== undefined && found.length > 1) return { kind: 'ambiguous', items: found };
      }
      return { kind: 'missing' };
    },
  };
}
