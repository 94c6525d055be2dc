// Pure: the code diff of one stage (issue 17): for each notebook, workspace file and init script the plan
// writes, what the environment runs now against what the stage deploys, as line hunks. planEnvironment stores
// it beside the plan; the approval page shows it and notifications give its size.
import type { ResourceKind } from '../manifest/Bundle';

/**
 * How one file compares. `text`: hunks follow. `binary` and `oversize`: sizes only. `tooDifferent`: the line diff
 * gave up within its time bound. `notKept`: what the environment runs now is not in release storage (deployed
 * before bricklane kept file contents and not in the last known good bundle, or by the CLI), so only the new
 * side's size is known. `skipped`: the
 * stage's budget was spent on the files before it.
 */
export type FileDiffStatus = 'text' | 'binary' | 'oversize' | 'tooDifferent' | 'notKept' | 'skipped';

/** One hunk as jsdiff's structuredPatch gives it: each line starts with ' ', '+', '-' or '\' (no newline). */
export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}

export interface FileCodeDiff {
  /** The plan step's resource key (`notebooks./Shared/bricklane/etl/ingest`). */
  key: string;
  kind: ResourceKind;
  /** Where it deploys (workspace path, `dbfs:/`, volume path). */
  target: string;
  /** `create`: nothing deployed there yet, every line is added. */
  action: 'create' | 'update';
  status: FileDiffStatus;
  /** Bytes of what runs now (absent for a create, or when it is not kept). */
  beforeSize?: number;
  afterSize: number;
  /** Lines added and removed by the whole change (text only), also when the shown hunks are cut. */
  added?: number;
  removed?: number;
  hunks?: DiffHunk[];
  /** Diff lines the hunks leave out (the per-file or per-stage line cap). */
  omittedLines?: number;
  /** The workspace copy differs from what bricklane deployed (changed outside bricklane): said beside the diff. */
  drift?: string;
}

export interface StageCodeDiff {
  version: 1;
  environment: string;
  files: FileCodeDiff[];
  /** Files the plan writes that the stage's file cap leaves out of `files`. */
  omittedFiles: number;
  size: CodeDiffSize;
}

/** The size of a stage's code change, for notifications and the page's headline. */
export interface CodeDiffSize {
  /** Notebooks, workspace files and init scripts the stage writes. */
  files: number;
  added: number;
  removed: number;
  /** Files whose lines were not counted (binary, oversize, not kept, too different, skipped or left out). */
  uncounted: number;
}

/** The size of a stage's code diff: every file it writes, counted lines summed. */
export function codeDiffSize(files: readonly FileCodeDiff[], omittedFiles = 0): CodeDiffSize {
  let added = 0;
  let removed = 0;
  let uncounted = omittedFiles;
  for (const file of files) {
    if (file.added === undefined || file.removed === undefined) uncounted += 1;
    else {
      added += file.added;
      removed += file.removed;
    }
  }
  return { files: files.length + omittedFiles, added, removed, uncounted };
}

/** "3 files changed, +12 −4 lines (1 not counted)": one line for a notification or the page's headline. */
export function describeCodeDiffSize(size: CodeDiffSize): string {
  if (size.files === 0) return 'no code changes';
  const files = `${size.files} ${size.files === 1 ? 'file' : 'files'} changed`;
  const lines = size.files > size.uncounted ? `, +${size.added} −${size.removed} lines` : '';
  const uncounted = size.uncounted > 0 && lines !== '' ? ` (${size.uncounted} not counted)` : '';
  return `${files}${lines}${uncounted}`;
}
