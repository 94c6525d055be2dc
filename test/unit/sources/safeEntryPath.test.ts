import { describe, expect, it } from 'vitest';
import { ArchiveRejectedError } from '../../../src/sources/ArchiveRejectedError';
import { safeEntryPath } from '../../../src/sources/safeEntryPath';

describe('safeEntryPath', () => {
  it.each([
    ['notebooks/etl/ingest.py', 'notebooks/etl/ingest.py'],
    ['./notebooks/a.py', 'notebooks/a.py'],
    ['notebooks//a.py', 'notebooks/a.py'],
    ['clusters/', 'clusters'],
    ['./', ''],
    ['.', ''],
    ['notebooks/..data/a.py', 'notebooks/..data/a.py'],
    ['notebooks/a..py', 'notebooks/a..py'],
    ['notebooks/a:b.py', 'notebooks/a:b.py'],
  ])('%s -> %s', (name, path) => {
    expect(safeEntryPath(name)).toBe(path);
  });

  it.each([
    ['/etc/passwd', 'AbsolutePath'],
    ['\\\\server\\share\\x', 'AbsolutePath'],
    ['\\x', 'AbsolutePath'],
    ['C:\\Windows\\x', 'AbsolutePath'],
    ['c:relative-to-drive', 'AbsolutePath'],
    ['..', 'PathTraversal'],
    ['../x', 'PathTraversal'],
    ['a/../../x', 'PathTraversal'],
    ['a/..', 'PathTraversal'],
    ['a\\..\\..\\x', 'PathTraversal'],
    ['a\\b', 'InvalidPath'],
    ['a\u0000b', 'InvalidPath'],
    ['a\nb', 'InvalidPath'],
  ])('refuses %j (%s)', (name, code) => {
    const error = (() => {
      try {
        safeEntryPath(name);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ArchiveRejectedError);
    expect(error).toMatchObject({ code, entry: name });
  });
});
