// Pure: which new notebooks go into which SOURCE directory imports, and which stay per-file imports.
// workspace/import takes a zip of sources as a new folder: "To import a directory, you can use either the DBC
// format or the SOURCE format with the language field unset", with `content` up to 10 MB
// (https://docs.databricks.com/api/workspace/workspace/import). bricklane uses it where the reference is
// clear only: a folder that does not exist yet (so nothing is overwritten) and that holds nothing but source
// notebooks this deploy creates. A folder with any other object of the bundle (an .ipynb, a workspace file,
// a notebook another batch or wave writes, one that is unchanged) is not imported whole; its sub-folders may be.
import type { NotebookLanguage } from '../manifest/Bundle';

/** A new source notebook that may travel in a directory import (its bytes start with its language's header). */
export interface DirectoryImportCandidate {
  key: string;
  /** Absolute workspace path of the notebook (no extension). */
  target: string;
  language: NotebookLanguage;
  /** Bytes of the source file. */
  size: number;
}

export interface DirectoryImportEntry extends DirectoryImportCandidate {
  /** Path inside the zip: the import folder's name, then the path below it, then the language's extension. */
  zipPath: string;
}

export type DirectoryImportStep =
  /** Import these notebooks as the new folder `path`; its zip takes at most `zipBytes` (before base64). */
  | { kind: 'import'; path: string; entries: DirectoryImportEntry[]; zipBytes: number }
  /** Create `path` (workspace/mkdirs): its sub-folders are imported one by one, as they do not fit in one. */
  | { kind: 'mkdirs'; path: string };

export interface DirectoryImportPlan {
  /** In order: a step that creates a folder comes before every step inside it. */
  steps: DirectoryImportStep[];
  /** Candidates left to per-file imports (a folder's own notebooks that do not fit beside it). */
  perFile: DirectoryImportCandidate[];
}

export interface DirectoryImportInput {
  candidates: readonly DirectoryImportCandidate[];
  /** Workspace targets of every other object the bundle deploys (any kind, any wave or batch). */
  otherTargets: readonly string[];
  /** Whether a folder is known not to exist (read from the workspace; unknown counts as existing). */
  isAbsent: (folder: string) => boolean;
  /** The largest zip one import may carry (before base64). */
  maxZipBytes: number;
}

/** Extension by language inside a SOURCE zip: what a folder exported as SOURCE holds (workspace/export). */
export const SOURCE_EXTENSIONS: Record<NotebookLanguage, string> = {
  PYTHON: '.py',
  SQL: '.sql',
  SCALA: '.scala',
  R: '.r',
};

/** End of central directory record (APPNOTE.TXT 4.3.16), once per zip. */
const ZIP_END_BYTES = 22;

export function planDirectoryImports(input: DirectoryImportInput): DirectoryImportPlan {
  const blocked = new Set(input.otherTargets.flatMap(ancestorsOf));
  const byRoot = new Map<string, DirectoryImportCandidate[]>();
  const plan: DirectoryImportPlan = { steps: [], perFile: [] };
  for (const candidate of input.candidates) {
    // The highest folder that is new and holds only candidates: one import creates everything below it.
    const root = ancestorsOf(candidate.target).find((f) => input.isAbsent(f) && !blocked.has(f));
    if (root === undefined) plan.perFile.push(candidate);
    else if (byRoot.has(root)) byRoot.get(root)?.push(candidate);
    else byRoot.set(root, [candidate]);
  }
  for (const [root, candidates] of [...byRoot].sort(([a], [b]) => a.localeCompare(b))) {
    pack(root, candidates, input.maxZipBytes, plan);
  }
  return plan;
}

/**
 * An upper bound of what one notebook adds to the zip: zlib's deflateBound of its bytes (deflate never grows
 * data by more), the local and central headers (30 + 46 bytes) with the name in both, and room for extra
 * fields (yazl's timestamps, 13 + 9 bytes) and the data descriptor after the data (16 bytes: the entry is
 * streamed, buildDirectoryZip.ts). Sizes are known before any file is read, so the plan never builds a zip over
 * the limit.
 */
export function zipBytesOf(candidate: DirectoryImportCandidate): number {
  const n = candidate.size;
  const deflateBound = n + (n >> 12) + (n >> 14) + (n >> 25) + 13;
  const name = Buffer.byteLength(candidate.target) + SOURCE_EXTENSIONS[candidate.language].length;
  return deflateBound + 2 * name + 128;
}

/** One import of the whole new folder when it fits; else the folder with what fits and its other sub-folders on their own. */
function pack(
  root: string,
  candidates: readonly DirectoryImportCandidate[],
  maxZipBytes: number,
  plan: DirectoryImportPlan,
): void {
  const size = (items: readonly DirectoryImportCandidate[]): number =>
    items.reduce((sum, c) => sum + zipBytesOf(c), 0);
  const whole = ZIP_END_BYTES + size(candidates);
  if (whole <= maxZipBytes) {
    plan.steps.push({
      kind: 'import',
      path: root,
      entries: candidates.map((c) => entryOf(root, c)),
      zipBytes: whole,
    });
    return;
  }
  const chunk: DirectoryImportCandidate[] = [];
  let used = ZIP_END_BYTES;
  const children = new Map<string, DirectoryImportCandidate[]>();
  for (const c of candidates) {
    const below = c.target.slice(root.length + 1);
    const slash = below.indexOf('/');
    if (slash < 0) {
      if (used + zipBytesOf(c) <= maxZipBytes) {
        chunk.push(c);
        used += zipBytesOf(c);
      } else plan.perFile.push(c);
    } else {
      const child = `${root}/${below.slice(0, slash)}`;
      if (children.has(child)) children.get(child)?.push(c);
      else children.set(child, [c]);
    }
  }
  const later: [string, DirectoryImportCandidate[]][] = [];
  for (const [child, items] of [...children].sort(([a], [b]) => a.localeCompare(b))) {
    if (used + size(items) <= maxZipBytes) {
      chunk.push(...items);
      used += size(items);
    } else later.push([child, items]);
  }
  plan.steps.push(
    chunk.length > 0
      ? { kind: 'import', path: root, entries: chunk.map((c) => entryOf(root, c)), zipBytes: used }
      : { kind: 'mkdirs', path: root },
  );
  for (const [child, items] of later) pack(child, items, maxZipBytes, plan);
}

function entryOf(root: string, candidate: DirectoryImportCandidate): DirectoryImportEntry {
  const name = root.slice(root.lastIndexOf('/') + 1);
  const below = candidate.target.slice(root.length + 1);
  return { ...candidate, zipPath: `${name}/${below}${SOURCE_EXTENSIONS[candidate.language]}` };
}

/** `/a/b/c` -> [`/a`, `/a/b`]: the folders above a path, highest first. */
export function ancestorsOf(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}
