// Which new notebooks travel in which SOURCE directory imports: new folders only, nothing else of the bundle in
// them, and never a zip over the limit.
import { describe, expect, it } from 'vitest';
import {
  planDirectoryImports,
  zipBytesOf,
  type DirectoryImportCandidate,
  type DirectoryImportInput,
} from '../../../src/planning/planDirectoryImports';

const MB = 1_000_000;

function nb(target: string, size = 1000): DirectoryImportCandidate {
  return { key: `notebooks.${target}`, target, language: target.endsWith('q') ? 'SQL' : 'PYTHON', size };
}

function plan(candidates: DirectoryImportCandidate[], overrides: Partial<DirectoryImportInput> = {}) {
  return planDirectoryImports({
    candidates,
    otherTargets: [],
    isAbsent: (f) => f === '/Shared/p/new' || f.startsWith('/Shared/p/new/'),
    maxZipBytes: 7_500_000,
    ...overrides,
  });
}

const paths = (p: ReturnType<typeof plan>) =>
  p.steps.map((s) => `${s.kind} ${s.path}${s.kind === 'import' ? ` (${s.entries.length})` : ''}`);

describe('planDirectoryImports', () => {
  it('imports a whole new tree at its highest new folder, with extensions by language under the folder name', () => {
    const p = plan([nb('/Shared/p/new/a/x'), nb('/Shared/p/new/a/q'), nb('/Shared/p/new/b/y')]);
    expect(paths(p)).toEqual(['import /Shared/p/new (3)']);
    const step = p.steps[0];
    expect(step?.kind === 'import' ? step.entries.map((e) => e.zipPath) : []).toEqual([
      'new/a/x.py',
      'new/a/q.sql',
      'new/b/y.py',
    ]);
    expect(p.perFile).toEqual([]);
  });

  it('leaves notebooks in folders that exist to per-file imports', () => {
    const p = plan([nb('/Shared/p/old/x'), nb('/Shared/p/new/y')]);
    expect(paths(p)).toEqual(['import /Shared/p/new (1)']);
    expect(p.perFile.map((c) => c.target)).toEqual(['/Shared/p/old/x']);
  });

  it('goes below a new folder that holds anything else of the bundle (another kind, batch or an .ipynb)', () => {
    const p = plan([nb('/Shared/p/new/a/x'), nb('/Shared/p/new/b/y'), nb('/Shared/p/new/top')], {
      otherTargets: ['/Shared/p/new/a/other.ipynb'],
    });
    // /Shared/p/new holds the .ipynb (below a), so neither it nor a is imported whole; b is, and the rest go per file.
    expect(paths(p)).toEqual(['import /Shared/p/new/b (1)']);
    expect(p.perFile.map((c) => c.target).sort()).toEqual(['/Shared/p/new/a/x', '/Shared/p/new/top']);
  });

  it('splits a tree over the limit: the folder with what fits, each sub-folder that does not fit on its own', () => {
    // 2.6 MB per notebook against 7.5 MB: two fit in one zip, three do not.
    const big = (t: string) => nb(t, 2_600_000);
    const p = plan([
      big('/Shared/p/new/a/1'),
      big('/Shared/p/new/a/2'),
      big('/Shared/p/new/b/1'),
      big('/Shared/p/new/b/2'),
      big('/Shared/p/new/c/1'),
    ]);
    expect(paths(p)).toEqual([
      'import /Shared/p/new (2)',
      'import /Shared/p/new/b (2)',
      'import /Shared/p/new/c (1)',
    ]);
    for (const step of p.steps) {
      if (step.kind !== 'import') continue;
      expect(22 + step.entries.reduce((n, e) => n + zipBytesOf(e), 0)).toBeLessThanOrEqual(7_500_000);
    }
    expect(p.perFile).toEqual([]);
  });

  it("fills the folder's import with the sub-folders that fit, and leaves what fits in no zip to per-file imports", () => {
    const p = plan([
      nb('/Shared/p/new/a/1', 5 * MB),
      nb('/Shared/p/new/a/2', 5 * MB),
      nb('/Shared/p/new/b/1', 5 * MB),
      nb('/Shared/p/new/huge', 8 * MB),
    ]);
    // a's second notebook sits directly in a, which exists once a is imported: only a per-file import can add it.
    expect(paths(p)).toEqual(['import /Shared/p/new (1)', 'import /Shared/p/new/a (1)']);
    const first = p.steps[0];
    expect(first?.kind === 'import' ? first.entries.map((e) => e.zipPath) : []).toEqual(['new/b/1.py']);
    expect(p.perFile.map((c) => c.target).sort()).toEqual(['/Shared/p/new/a/2', '/Shared/p/new/huge']);
  });

  it("bounds a notebook by deflate's worst case and its names, so no zip can pass the limit", () => {
    const c = nb('/Shared/p/new/x', 1_048_576);
    expect(zipBytesOf(c)).toBeGreaterThan(1_048_576 + 2 * '/Shared/p/new/x.py'.length);
    expect(zipBytesOf(c)).toBeLessThan(1_048_576 * 1.001 + 300);
  });

  it('creates a folder none of whose sub-folders fits beside it', () => {
    const p = plan([
      nb('/Shared/p/new/a/1', 5 * MB),
      nb('/Shared/p/new/a/2', 5 * MB),
      nb('/Shared/p/new/b/1', 8 * MB),
    ]);
    expect(paths(p)).toEqual([
      'mkdirs /Shared/p/new',
      'import /Shared/p/new/a (1)',
      'mkdirs /Shared/p/new/b',
    ]);
    expect(p.perFile.map((c) => c.target).sort()).toEqual(['/Shared/p/new/a/2', '/Shared/p/new/b/1']);
  });

  it('imports nothing when no folder is new', () => {
    const p = plan([nb('/Shared/p/old/x')], { isAbsent: () => false });
    expect(p.steps).toEqual([]);
    expect(p.perFile).toHaveLength(1);
  });
});
