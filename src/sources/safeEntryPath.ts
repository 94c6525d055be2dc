// Pure: an archive entry's name -> the relative POSIX path it may be written to, or a rejection. Checked
// here rather than trusted to the unpacker, so tar and zip follow one rule set.
import { ArchiveRejectedError } from './ArchiveRejectedError';

const REBUILD = 'build the archive from inside the bundle folder, with relative paths only';

/** '' is the archive root itself (an entry such as `./`). */
export function safeEntryPath(name: string): string {
  const shown = JSON.stringify(name);
  // Both separators count: an archive made on Windows, or crafted, may use `\`, and a path that is harmless
  // on Linux (`a\..\..\x`) escapes when the bundle is unpacked on Windows.
  if (/^[/\\]/.test(name) || /^[A-Za-z]:/.test(name)) {
    throw new ArchiveRejectedError('AbsolutePath', `entry ${shown} is an absolute path; ${REBUILD}`, name);
  }
  const segments = name.split(/[/\\]/);
  if (segments.includes('..')) {
    throw new ArchiveRejectedError(
      'PathTraversal',
      `entry ${shown} has a ".." segment and could land outside the bundle; ${REBUILD}`,
      name,
    );
  }
  if (name.includes('\\')) {
    throw new ArchiveRejectedError(
      'InvalidPath',
      `entry ${shown} contains a backslash; archive paths use "/" (rename the file or repack the archive)`,
      name,
    );
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new ArchiveRejectedError(
      'InvalidPath',
      `entry ${shown} contains a control character; rename the file`,
      name,
    );
  }
  // `./x` (tar run on `.`), `x//y` and a trailing `/` name the same file as `x`, `x/y`.
  return segments.filter((s) => s !== '' && s !== '.').join('/');
}
