// Pure (but for a wall-clock safety net in jsdiff): the line diff of one file, bounded. Text files up to
// maxFileBytes a side are compared with jsdiff's structuredPatch (https://github.com/kpdecker/jsdiff#api): its
// `maxEditLength` makes it give up deterministically on texts too different to read as a diff (Myers' cost
// grows with the edit distance), and `timeout` caps the wall clock whatever the input. Binary files (a NUL in
// the first 8,000 bytes, git's test in xdiff-interface.c buffer_is_binary, or bytes that are not UTF-8) and
// oversize ones give sizes only. The hunks kept are cut to a line budget and each line to MAX_LINE_CHARS, and
// string values given to credential-like names are hidden; the added and removed counts are of the whole change.
import { structuredPatch } from 'diff';
import type { DiffHunk, FileCodeDiff } from './CodeDiff';
import { HIDDEN_VALUE, SECRET_REFERENCE, SENSITIVE_FIELD } from './diffFields';

/** One side of the comparison: its size, and its bytes when they are within the per-file cap. */
export interface FileSide {
  size: number;
  bytes?: Uint8Array;
}

export interface DiffFileOptions {
  /** A side larger than this is not compared (its bytes are not even read): sizes only. */
  maxFileBytes: number;
  /** Diff lines (context, added, removed) kept in the hunks; the counts still cover the whole change. */
  maxLines: number;
  /** jsdiff's maxEditLength: more edits than this and the texts are "too different". */
  maxEditLength: number;
  /** jsdiff's timeout: the wall-clock bound of one comparison. */
  timeoutInMs: number;
}

export const DEFAULT_DIFF_FILE_OPTIONS: DiffFileOptions = {
  maxFileBytes: 512 * 1024,
  maxLines: 400,
  maxEditLength: 2_000,
  timeoutInMs: 500,
};

/** A line longer than this (minified code, an embedded image in a notebook) is cut. */
export const MAX_LINE_CHARS = 500;
/** Lines of context around each change, as `git diff` shows by default. */
const CONTEXT_LINES = 3;
/** git reads this many leading bytes to tell binary from text (xdiff-interface.c, FIRST_FEW_BYTES). */
const BINARY_PROBE_BYTES = 8000;

type Compared = Pick<
  FileCodeDiff,
  'status' | 'beforeSize' | 'afterSize' | 'added' | 'removed' | 'hunks' | 'omittedLines'
>;

/** `before` undefined: a new file (every line added). */
export function diffFileContent(
  before: FileSide | undefined,
  after: FileSide,
  options: DiffFileOptions = DEFAULT_DIFF_FILE_OPTIONS,
): Compared {
  const sizes = { ...(before ? { beforeSize: before.size } : {}), afterSize: after.size };
  const sides = before ? [before, after] : [after];
  if (sides.some((s) => s.size > options.maxFileBytes || s.bytes === undefined))
    return { status: 'oversize', ...sizes };
  const oldText = before ? textOf(before.bytes) : '';
  const newText = textOf(after.bytes);
  if (oldText === undefined || newText === undefined) return { status: 'binary', ...sizes };
  const patch = structuredPatch('now', 'deployed', oldText, newText, undefined, undefined, {
    context: CONTEXT_LINES,
    maxEditLength: options.maxEditLength,
    timeout: options.timeoutInMs,
  });
  if (!patch) return { status: 'tooDifferent', ...sizes };
  let added = 0;
  let removed = 0;
  for (const hunk of patch.hunks) {
    for (const line of hunk.lines) {
      if (line.startsWith('+')) added += 1;
      else if (line.startsWith('-')) removed += 1;
    }
  }
  const { hunks, omittedLines } = cutHunks(patch.hunks, options.maxLines);
  return {
    status: 'text',
    ...sizes,
    added,
    removed,
    hunks,
    ...(omittedLines > 0 ? { omittedLines } : {}),
  };
}

/** The text of a file, or undefined when it is binary (a NUL early on, or not UTF-8). */
function textOf(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes) return undefined;
  if (bytes.subarray(0, BINARY_PROBE_BYTES).includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * A string literal given to a name that may be a credential: `password = "..."`, `"token": "..."`, and the
 * pair form of `spark.conf.set("fs.azure.account.key.<account>...", "...")`.
 */
const ASSIGNED = /([\w.-]+)(["']?\s*[:=]\s*)(["'])([^"'\n]*)\3/g;
const PAIRED = /(["'])([^"'\n]*)\1(\s*,\s*)(["'])([^"'\n]*)\4/g;

/**
 * The line with the values of credential-like names hidden, as the plan's field diffs hide them (diffFields.ts):
 * the page is shown to whoever holds the approval link. A Databricks secret reference stays (it names a secret).
 * The counts of the diff are unaffected.
 */
export function hideCredentials(line: string): string {
  const hidden = (name: string, value: string): boolean =>
    value !== '' && SENSITIVE_FIELD.test(name) && !SECRET_REFERENCE.test(value);
  return line
    .replace(ASSIGNED, (all, name: string, between: string, quote: string, value: string) =>
      hidden(name, value) ? `${name}${between}${quote}${HIDDEN_VALUE}${quote}` : all,
    )
    .replace(PAIRED, (all, q1: string, name: string, comma: string, q2: string, value: string) =>
      hidden(name, value) ? `${q1}${name}${q1}${comma}${q2}${HIDDEN_VALUE}${q2}` : all,
    );
}

/** The hunks within `maxLines` lines (the last one kept may be cut), each line within MAX_LINE_CHARS. */
function cutHunks(all: readonly DiffHunk[], maxLines: number): { hunks: DiffHunk[]; omittedLines: number } {
  const hunks: DiffHunk[] = [];
  let left = Math.max(0, maxLines);
  let omittedLines = 0;
  for (const hunk of all) {
    const kept = hunk.lines.slice(0, left);
    omittedLines += hunk.lines.length - kept.length;
    left -= kept.length;
    if (kept.length === 0) continue;
    hunks.push({
      oldStart: hunk.oldStart,
      oldLines: hunk.oldLines,
      newStart: hunk.newStart,
      newLines: hunk.newLines,
      lines: kept.map((line) =>
        hideCredentials(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line),
      ),
    });
  }
  return { hunks, omittedLines };
}

/**
 * The files with their hunks cut, in order, to `maxLines` diff lines for the whole stage (a page shows at most
 * that many): a file past the budget keeps its counts and sizes, and says how many lines it leaves out.
 */
export function fitStageLines(files: readonly FileCodeDiff[], maxLines: number): FileCodeDiff[] {
  let left = Math.max(0, maxLines);
  return files.map((file) => {
    if (!file.hunks) return file;
    const { hunks, omittedLines } = cutHunks(file.hunks, left);
    left -= hunks.reduce((sum, h) => sum + h.lines.length, 0);
    const omitted = (file.omittedLines ?? 0) + omittedLines;
    const { omittedLines: _dropped, ...rest } = file;
    return { ...rest, hunks, ...(omitted > 0 ? { omittedLines: omitted } : {}) };
  });
}
