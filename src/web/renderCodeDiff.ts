// Pure: the code diff of a stage on the approval page (issue 17): per notebook, workspace file and init script
// the stage writes, what the environment runs now against what will be deployed. Every piece of file content
// goes through escapeHtml and sits in a <pre> as text: a notebook holding `<script>` shows it and never runs it,
// and the page keeps its CSP (`default-src 'none'`, no script; the classes are styled in document.ts, so no
// style attribute either). Large diffs collapse in <details>, which opens without script.
import type { DiffHunk, FileCodeDiff, StageCodeDiff } from '../planning/CodeDiff';
import { describeCodeDiffSize } from '../planning/CodeDiff';
import { KIND_LABELS } from './format';
import { escapeHtml } from './html';

/** A file's diff shows open when it is this short, and among the first few; longer ones collapse. */
export const OPEN_DIFF_LINES = 40;
const OPEN_FILES = 5;

/** The "Code changes" section, or '' when the stage writes no file (or its code diff was not stored). */
export function renderCodeDiff(diff: StageCodeDiff | undefined): string {
  if (!diff || diff.size.files === 0) return '';
  const files = diff.files.map((file, index) => renderFile(file, index < OPEN_FILES));
  if (diff.omittedFiles > 0)
    files.push(
      `<p class="note">… and ${diff.omittedFiles} more ${diff.omittedFiles === 1 ? 'file' : 'files'} ` +
        'not compared here (the page compares the first files only; the plan above lists them all).</p>',
    );
  return [
    '<section id="code-diff">',
    '<h2>Code changes</h2>',
    `<p><strong>${escapeHtml(describeCodeDiffSize(diff.size))}</strong>. ` +
      'Left: what this environment runs now (as bricklane deployed it). Right: what approving deploys.</p>',
    ...files,
    '</section>',
  ].join('\n');
}

function renderFile(file: FileCodeDiff, early: boolean): string {
  const shown = (file.hunks ?? []).reduce((n, h) => n + h.lines.length, 0);
  const open = early && file.status === 'text' && shown <= OPEN_DIFF_LINES ? ' open' : '';
  const counts =
    file.added !== undefined && file.removed !== undefined
      ? `<span class="diff-counts"><ins>+${file.added}</ins> <del>−${file.removed}</del></span>`
      : '';
  const summary =
    `<summary><span class="badge ${escapeHtml(file.action)}">${escapeHtml(file.action)}</span>` +
    `<code>${escapeHtml(file.target)}</code> <span class="sub">${escapeHtml(KIND_LABELS[file.kind])}</span> ` +
    `${counts}${file.drift ? ' <span class="drift">changed outside bricklane</span>' : ''}</summary>`;
  const body: string[] = [];
  if (file.drift) body.push(`<p class="drift">The workspace copy differs: ${escapeHtml(file.drift)}.</p>`);
  const about = describeStatus(file);
  if (about) body.push(`<p class="note">${escapeHtml(about)}</p>`);
  if (file.hunks && file.hunks.length > 0) body.push(renderHunks(file.hunks));
  if (file.omittedLines)
    body.push(
      `<p class="note">… ${file.omittedLines} more diff lines not shown (the page's line limit).</p>`,
    );
  return (
    `<details class="file-diff" data-key="${escapeHtml(file.key)}" data-status="${escapeHtml(file.status)}"${open}>` +
    `${summary}${body.join('')}</details>`
  );
}

/** What the page can say about a file it shows no lines of. */
function describeStatus(file: FileCodeDiff): string | undefined {
  const sizes =
    file.beforeSize === undefined
      ? formatBytes(file.afterSize)
      : `${formatBytes(file.beforeSize)} → ${formatBytes(file.afterSize)}`;
  switch (file.status) {
    case 'text':
      return file.hunks?.length === 0 && file.added === 0 && file.removed === 0
        ? 'Same lines (only the bytes differ, such as line endings).'
        : undefined;
    case 'binary':
      return `Binary file, ${sizes}.`;
    case 'oversize':
      return `Too large to compare here, ${sizes}.`;
    case 'tooDifferent':
      return `Rewritten beyond a readable line diff, ${sizes}.`;
    case 'notKept':
      return (
        `What runs now was deployed before bricklane kept file contents (or by the CLI), so it cannot be ` +
        `shown; the new version is ${sizes}.`
      );
    case 'skipped':
      return `Not compared: the page's time or size budget was spent on the files above; the new version is ${sizes}.`;
  }
}

function renderHunks(hunks: readonly DiffHunk[]): string {
  const lines: string[] = [];
  for (const hunk of hunks) {
    lines.push(
      `<span class="ln hunk">@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@</span>`,
    );
    for (const line of hunk.lines)
      lines.push(`<span class="ln ${LINE_CLASS[line[0] ?? ' '] ?? 'ctx'}">${escapeHtml(line)}</span>`);
  }
  return `<pre class="code-diff">${lines.join('')}</pre>`;
}

const LINE_CLASS: Record<string, string> = { '+': 'add', '-': 'del', ' ': 'ctx', '\\': 'hunk' };

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
