import { describe, expect, it } from 'vitest';
import { codeDiffSize, describeCodeDiffSize, type FileCodeDiff } from '../../../src/planning/CodeDiff';
import {
  DEFAULT_DIFF_FILE_OPTIONS,
  diffFileContent,
  fitStageLines,
  hideCredentials,
  MAX_LINE_CHARS,
  type FileSide,
} from '../../../src/planning/diffFileContent';

const side = (text: string | Buffer): FileSide => {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return { size: bytes.length, bytes };
};
const lines = (n: number, f: (i: number) => string): string =>
  `${Array.from({ length: n }, (_, i) => f(i)).join('\n')}\n`;

describe('diffFileContent', () => {
  it('gives the changed lines as hunks with three lines of context, and counts them', () => {
    const before = lines(20, (i) => `print(${i})`);
    const after = before.replace('print(10)\n', 'print("ten")\nprint("ten, again")\n');
    const diff = diffFileContent(side(before), side(after));
    expect(diff).toMatchObject({ status: 'text', added: 2, removed: 1, beforeSize: 190, afterSize: 213 });
    expect(diff.hunks).toEqual([
      {
        oldStart: 8,
        oldLines: 7,
        newStart: 8,
        newLines: 8,
        lines: [
          ' print(7)',
          ' print(8)',
          ' print(9)',
          '-print(10)',
          '+print("ten")',
          '+print("ten, again")',
          ' print(11)',
          ' print(12)',
          ' print(13)',
        ],
      },
    ]);
    expect(diff.omittedLines).toBeUndefined();
  });

  it('shows a new file as all added', () => {
    const diff = diffFileContent(undefined, side('a\nb\n'));
    expect(diff).toMatchObject({ status: 'text', added: 2, removed: 0, afterSize: 4 });
    expect(diff.beforeSize).toBeUndefined();
    expect(diff.hunks?.[0]?.lines).toEqual(['+a', '+b']);
  });

  it('keeps notebook text as it is (escaping is the page’s job), a <script> included', () => {
    const before = '# Databricks notebook source\nprint(1)\n';
    const after = '# Databricks notebook source\ndisplayHTML("<script>alert(1)</script>")\n';
    const diff = diffFileContent(side(before), side(after));
    expect(diff.hunks?.[0]?.lines).toContain('+displayHTML("<script>alert(1)</script>")');
  });

  it('cuts the hunks to the line budget but counts the whole change', () => {
    const before = lines(1000, (i) => `x${i}`);
    const after = lines(1000, (i) => (i % 10 === 0 ? `y${i}` : `x${i}`));
    const diff = diffFileContent(side(before), side(after), { ...DEFAULT_DIFF_FILE_OPTIONS, maxLines: 30 });
    expect(diff).toMatchObject({ status: 'text', added: 100, removed: 100 });
    const shown = (diff.hunks ?? []).reduce((n, h) => n + h.lines.length, 0);
    expect(shown).toBe(30);
    // 100 changes, 10 lines apart: one hunk each (2 changed + 6 context), the first with only 3 before it.
    expect(shown + (diff.omittedLines ?? 0)).toBe(100 * 8 - 3);
  });

  it('cuts a very long line (minified code, an embedded image)', () => {
    const diff = diffFileContent(side('a\n'), side(`${'z'.repeat(5000)}\n`));
    const added = diff.hunks?.[0]?.lines.find((l) => l.startsWith('+')) ?? '';
    expect(added).toHaveLength(MAX_LINE_CHARS + 1);
    expect(added.endsWith('…')).toBe(true);
  });

  it('gives sizes only for a binary file: a NUL byte, or bytes that are not UTF-8', () => {
    // Valid UTF-8 with a NUL in it (a zip's header): binary by the NUL alone.
    expect(diffFileContent(side('text\n'), side(Buffer.from('PK\u0003\u0004\u0000\u0000text')))).toEqual({
      status: 'binary',
      beforeSize: 5,
      afterSize: 10,
    });
    expect(diffFileContent(side(Buffer.from([0xff, 0xfe, 0x41])), side('A\n'))).toEqual({
      status: 'binary',
      beforeSize: 3,
      afterSize: 2,
    });
  });

  it('gives sizes only for a side over the cap, or whose bytes were not read', () => {
    const options = { ...DEFAULT_DIFF_FILE_OPTIONS, maxFileBytes: 10 };
    expect(diffFileContent(side('small\n'), side('0123456789abc\n'), options)).toEqual({
      status: 'oversize',
      beforeSize: 6,
      afterSize: 14,
    });
    expect(diffFileContent({ size: 2_000_000 }, side('a\n'))).toEqual({
      status: 'oversize',
      beforeSize: 2_000_000,
      afterSize: 2,
    });
  });

  it('gives up on texts too different to read as a diff, within its bounds', () => {
    const before = lines(10_000, (i) => `a${i}`);
    const after = lines(10_000, (i) => `b${i}`);
    const started = performance.now();
    const diff = diffFileContent(side(before), side(after));
    expect(performance.now() - started).toBeLessThan(DEFAULT_DIFF_FILE_OPTIONS.timeoutInMs + 500);
    expect(diff).toEqual({ status: 'tooDifferent', beforeSize: before.length, afterSize: after.length });
  });
});

describe('hideCredentials', () => {
  it.each([
    ['db_password = "hunter2"', 'db_password = "(hidden: may be a credential)"'],
    ["TOKEN='dapi123'", "TOKEN='(hidden: may be a credential)'"],
    ['  "client_secret": "s3cr3t",', '  "client_secret": "(hidden: may be a credential)",'],
    [
      'spark.conf.set("fs.azure.account.key.lake.dfs.core.windows.net", "AbC==")',
      'spark.conf.set("fs.azure.account.key.lake.dfs.core.windows.net", "(hidden: may be a credential)")',
    ],
  ])('hides the value in %s', (line, shown) => {
    expect(hideCredentials(line)).toBe(shown);
  });

  it.each([
    'password = "{{secrets/etl/db-password}}"',
    'pwd = dbutils.secrets.get(scope="etl", key="db-password")',
    'name = "orders"',
    'spark.conf.set("spark.sql.shuffle.partitions", "8")',
  ])('keeps %s as it is', (line) => {
    expect(hideCredentials(line)).toBe(line);
  });

  it('applies to the lines a diff shows, not to its counts', () => {
    const diff = diffFileContent(side('x = 1\n'), side('x = 1\napi_token = "abc"\n'));
    expect(diff.hunks?.[0]?.lines).toEqual([' x = 1', '+api_token = "(hidden: may be a credential)"']);
    expect(diff.added).toBe(1);
  });
});

describe('fitStageLines', () => {
  const file = (key: string, n: number): FileCodeDiff => ({
    key,
    kind: 'notebooks',
    target: `/Shared/${key}`,
    action: 'update',
    status: 'text',
    afterSize: 1,
    added: n,
    removed: 0,
    hunks: [{ oldStart: 1, oldLines: 0, newStart: 1, newLines: n, lines: Array<string>(n).fill('+x') }],
  });

  it('spends the stage budget in order: later files keep their counts and say what they leave out', () => {
    const fitted = fitStageLines([file('a', 6), file('b', 6), file('c', 6)], 10);
    expect(fitted.map((f) => f.hunks?.reduce((n, h) => n + h.lines.length, 0))).toEqual([6, 4, 0]);
    expect(fitted.map((f) => f.omittedLines)).toEqual([undefined, 2, 6]);
    expect(fitted.map((f) => f.added)).toEqual([6, 6, 6]);
  });
});

describe('codeDiffSize', () => {
  it('sums counted lines, and says how many files were not counted', () => {
    const files: FileCodeDiff[] = [
      {
        key: 'a',
        kind: 'notebooks',
        target: '/a',
        action: 'update',
        status: 'text',
        afterSize: 1,
        added: 3,
        removed: 1,
      },
      {
        key: 'b',
        kind: 'files',
        target: '/b',
        action: 'update',
        status: 'binary',
        afterSize: 9,
        beforeSize: 8,
      },
      {
        key: 'c',
        kind: 'initScripts',
        target: '/c',
        action: 'create',
        status: 'text',
        afterSize: 1,
        added: 2,
        removed: 0,
      },
    ];
    const size = codeDiffSize(files, 2);
    expect(size).toEqual({ files: 5, added: 5, removed: 1, uncounted: 3 });
    expect(describeCodeDiffSize(size)).toBe('5 files changed, +5 −1 lines (3 not counted)');
    expect(describeCodeDiffSize(codeDiffSize(files.slice(0, 1)))).toBe('1 file changed, +3 −1 lines');
    expect(describeCodeDiffSize(codeDiffSize(files.slice(1, 2)))).toBe('1 file changed');
    expect(describeCodeDiffSize(codeDiffSize([]))).toBe('no code changes');
  });
});
