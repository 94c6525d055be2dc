import { describe, expect, it } from 'vitest';
import { codeDiffSize, type FileCodeDiff, type StageCodeDiff } from '../../../src/planning/CodeDiff';
import { diffFileContent } from '../../../src/planning/diffFileContent';
import { renderCodeDiff } from '../../../src/web/renderCodeDiff';

const EVIL = '<script>alert(1)</script>';
const text = (s: string): { size: number; bytes: Buffer } => ({
  size: Buffer.byteLength(s),
  bytes: Buffer.from(s),
});

function stage(files: FileCodeDiff[], omittedFiles = 0): StageCodeDiff {
  return { version: 1, environment: 'qa', files, omittedFiles, size: codeDiffSize(files, omittedFiles) };
}

const notebook: FileCodeDiff = {
  key: 'notebooks./Shared/etl/ingest',
  kind: 'notebooks',
  target: '/Shared/etl/ingest',
  action: 'update',
  ...diffFileContent(
    text('# Databricks notebook source\nprint("old")\n'),
    text(`# Databricks notebook source\ndisplayHTML("${EVIL}")\n`),
  ),
};

describe('renderCodeDiff', () => {
  it('shows a notebook’s lines escaped: a <script> in the notebook is text, never markup', () => {
    const html = renderCodeDiff(stage([notebook]));
    expect(html).not.toContain('<script');
    expect(html).toContain('displayHTML(&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;)');
    expect(html).toContain('<span class="ln del">-print(&quot;old&quot;)</span>');
    expect(html).toContain('<span class="ln ctx"> # Databricks notebook source</span>');
    expect(html).toContain('<span class="ln hunk">@@ -1,2 +1,2 @@</span>');
    expect(html).toContain('1 file changed, +1 −1 lines');
    // Styled by class from the page's <style> (CSP): no style attribute, no event handler.
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/i);
  });

  it('escapes what a bundle names: targets and keys', () => {
    const hostile: FileCodeDiff = { ...notebook, key: `notebooks.${EVIL}`, target: `/Shared/"${EVIL}` };
    const html = renderCodeDiff(stage([hostile]));
    expect(html).not.toContain('<script');
    expect(html).toContain('data-key="notebooks.&lt;script&gt;');
    expect(html).toContain('<code>/Shared/&quot;&lt;script&gt;');
  });

  it('opens a short diff, and collapses a large one (details without open: no script needed)', () => {
    const big: FileCodeDiff = {
      ...notebook,
      key: 'notebooks./Shared/big',
      target: '/Shared/big',
      ...diffFileContent(undefined, text(Array.from({ length: 60 }, (_, i) => `line ${i}\n`).join(''))),
    };
    const html = renderCodeDiff(stage([notebook, big]));
    expect(html).toContain(
      '<details class="file-diff" data-key="notebooks./Shared/etl/ingest" data-status="text" open>',
    );
    expect(html).toContain('<details class="file-diff" data-key="notebooks./Shared/big" data-status="text">');
  });

  it('gives sizes for binary and oversize files, and says why other files show no lines', () => {
    const base = {
      key: 'files./Shared/x',
      kind: 'files' as const,
      target: '/Shared/x',
      action: 'update' as const,
    };
    const html = renderCodeDiff(
      stage([
        { ...base, status: 'binary', beforeSize: 2048, afterSize: 3 * 1024 * 1024 },
        { ...base, status: 'oversize', beforeSize: 600 * 1024, afterSize: 700 * 1024 },
        { ...base, status: 'notKept', afterSize: 10 },
        { ...base, status: 'tooDifferent', beforeSize: 10, afterSize: 20 },
        { ...base, status: 'skipped', afterSize: 30 },
      ]),
    );
    expect(html).toContain('Binary file, 2.0 KB → 3.0 MB.');
    expect(html).toContain('Too large to compare here, 600.0 KB → 700.0 KB.');
    expect(html).toContain('deployed before bricklane kept file contents');
    expect(html).toContain('Rewritten beyond a readable line diff, 10 B → 20 B.');
    expect(html).toContain('Not compared');
    expect(html).toContain('5 files changed');
    expect(html).not.toContain('<pre');
  });

  it('says when the workspace copy differs, and what the page leaves out', () => {
    const drifted: FileCodeDiff = {
      ...notebook,
      drift: 'the workspace copy was changed at 2026-12-05T10:00:00.000Z',
      omittedLines: 7,
    };
    const html = renderCodeDiff(stage([drifted], 3));
    expect(html).toContain('<span class="drift">changed outside bricklane</span>');
    expect(html).toContain(
      'The workspace copy differs: the workspace copy was changed at 2026-12-05T10:00:00.000Z.',
    );
    expect(html).toContain('… 7 more diff lines not shown');
    expect(html).toContain('… and 3 more files not compared here');
    expect(html).toContain('4 files changed, +1 −1 lines (3 not counted)');
  });

  it('shows nothing when the stage writes no file or its diff was not stored', () => {
    expect(renderCodeDiff(undefined)).toBe('');
    expect(renderCodeDiff(stage([]))).toBe('');
  });
});
