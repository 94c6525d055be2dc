// I/O: an archive (upload, GitHub tarball, Azure Repos zip) -> a staged bundle. The archive is unpacked
// safely into a temporary folder, its bundle folder found, and that folder staged like any other, so an
// archive and the folder it was made from get the same content-addressed id.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReleaseStorage } from '../azure/ReleaseStorage';
import { BUNDLE_FOLDERS } from '../manifest/Bundle';
import { ArchiveRejectedError } from './ArchiveRejectedError';
import { extractArchive, type ArchiveLimits } from './extractArchive';
import { stageBundle, type StagedBundle } from './stageBundle';

export interface StageArchiveOptions {
  /** The bundle's folder inside the archive ('' or absent: the archive's root). */
  subfolder?: string;
  limits?: ArchiveLimits;
}

export async function stageArchive(
  storage: ReleaseStorage,
  archivePath: string,
  options: StageArchiveOptions = {},
): Promise<StagedBundle> {
  const subfolder = normalizeSubfolder(options.subfolder ?? '');
  const work = await mkdtemp(join(tmpdir(), 'bricklane-archive-'));
  try {
    const root = join(work, 'archive');
    await extractArchive(archivePath, root, options.limits);
    return await stageBundle(storage, await bundleFolderOf(root, subfolder));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * GitHub tarballs hold `<owner>-<repo>-<sha>/...`, Azure Repos and hand-made archives often one folder too:
 * when the subfolder is not at the root and the root holds exactly one folder, look inside that folder.
 * For the root itself ('') the single folder is unwrapped unless it is one of the bundle's own folders (an
 * archive holding only `notebooks/` is a bundle of notebooks, not a wrapper).
 */
async function bundleFolderOf(root: string, subfolder: string): Promise<string> {
  const segments = subfolder ? subfolder.split('/') : [];
  const top = await singleTopFolder(root);
  if (subfolder === '') {
    return top && !(BUNDLE_FOLDERS as readonly string[]).includes(top) ? join(root, top) : root;
  }
  const atRoot = join(root, ...segments);
  if (await isFolder(atRoot)) return atRoot;
  if (top !== undefined) {
    const inside = join(root, top, ...segments);
    if (await isFolder(inside)) return inside;
  }
  throw new ArchiveRejectedError(
    'MissingFolder',
    `the archive has no folder "${subfolder}" (looked at its root${top ? ` and inside "${top}/"` : ''}); ` +
      'set the bundle path to the folder that holds clusters/, jobs/, notebooks/ and init-scripts/, or "" for the root',
  );
}

async function singleTopFolder(root: string): Promise<string | undefined> {
  // Hidden names and macOS's __MACOSX/ are tooling residue (the bundle loader skips hidden names too).
  const entries = (await readdir(root, { withFileTypes: true })).filter(
    (e) => !e.name.startsWith('.') && e.name !== '__MACOSX',
  );
  const only = entries.length === 1 ? entries[0] : undefined;
  return only?.isDirectory() ? only.name : undefined;
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

function normalizeSubfolder(subfolder: string): string {
  const segments = subfolder.split(/[/\\]/).filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw new RangeError(`bundle subfolder "${subfolder}" must be a path inside the archive, without ".."`);
  }
  return segments.join('/');
}
