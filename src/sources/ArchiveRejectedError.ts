// Pure: an uploaded or fetched archive that bricklane refuses to unpack, with what to change. A rejection is
// permanent (the same bytes are refused again), so triggers log it instead of retrying.

export type ArchiveRejectionCode =
  | 'PathTraversal'
  | 'AbsolutePath'
  | 'InvalidPath'
  | 'Link'
  | 'SpecialFile'
  | 'Duplicate'
  | 'TooManyEntries'
  | 'TooLarge'
  | 'Truncated'
  | 'Corrupt'
  | 'UnsupportedFormat'
  | 'MissingFolder';

export class ArchiveRejectedError extends Error {
  constructor(
    readonly code: ArchiveRejectionCode,
    message: string,
    /** The archive entry at fault, when one is. */
    readonly entry?: string,
  ) {
    super(`archive rejected (${code}): ${message}`);
    this.name = 'ArchiveRejectedError';
  }
}
