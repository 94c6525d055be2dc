// I/O: reads a bundle folder (names, sizes, sha256, the JSON files) and hands it to validateBundle.
// Bytes are streamed through the hash and dropped: a bundle of 1,000+ notebooks never sits in
// memory, and apply reads each file again when it writes it. Links are reported, never followed.
import { constants, createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  BUNDLE_FOLDERS,
  MAX_WORKSPACE_IMPORT_BYTES,
  OPTIONS_FILE,
  type BundleEntry,
  type Diagnostic,
  type BundleFile,
  type LoadResult,
  type ParsedJson,
} from '../manifest/Bundle';
import { jsonKindOf } from '../manifest/jsonKindOf';
import { parseJsonText } from '../manifest/parseJsonText';
import { validateBundle } from '../manifest/validateBundle';

/** Files hashed at the same time: enough to hide disk latency, few enough for the fd limit. */
const CONCURRENT_READS = 16;
/** Cluster and job files are small; a larger one is not read into memory. */
const MAX_JSON_BYTES = 10 * 1024 * 1024;
// O_NOFOLLOW: a file swapped for a link after the listing is not followed (absent on Windows).
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

export interface LoadBundleOptions {
  /**
   * The digest of each file, already verified against the bundle's id (a staged bundle, see
   * sources/materializeBundle.ts): used instead of hashing the files again.
   */
  digests?: readonly { path: string; size: number; sha256: string }[];
  /** BRICKLANE_PROJECT: names the default deployment folder, /Shared/<project> (validateBundle). */
  project?: string;
}

export async function loadBundle(dir: string, options: LoadBundleOptions = {}): Promise<LoadResult> {
  const root = resolve(dir);
  const rootStat = await stat(root).catch(() => undefined);
  if (!rootStat?.isDirectory()) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'BUNDLE_NOT_FOUND',
          file: '.',
          summary: `${root} is not a folder; point bricklane at the folder that holds clusters/, jobs/, notebooks/ and init-scripts/.`,
        },
      ],
    };
  }
  const notABundle = await holdsNoBundle(root);
  if (notABundle) return { diagnostics: [notABundle] };
  return validateBundle(root, await readBundleEntries(root, options), options.project);
}

/** The entries of a bundle folder as validation sees them (names, sizes, hashes, parsed JSON), not validated. */
export async function readBundleEntries(
  root: string,
  options: LoadBundleOptions = {},
): Promise<BundleEntry[]> {
  const listed = await listEntries(root);
  const known = new Map((options.digests ?? []).map((d) => [d.path, d]));
  return mapConcurrently(listed, CONCURRENT_READS, (entry): Promise<BundleEntry> =>
    entry.type === 'file' ? readFileEntry(root, entry.path, known.get(entry.path)) : Promise.resolve(entry),
  );
}

/**
 * A folder with entries but none of the bundle's (`bricklane validate artifacts/clusters`, one level too
 * deep) is a mistake, not an empty bundle: without this it validates as "valid, nothing to deploy". A
 * folder with nothing visible in it stays an empty bundle (hidden names such as `.git` are skipped, as in
 * classifyEntries).
 */
async function holdsNoBundle(root: string): Promise<Diagnostic | undefined> {
  const names = (await readdir(root)).filter((name) => !name.startsWith('.'));
  const layout: readonly string[] = [...BUNDLE_FOLDERS, OPTIONS_FILE];
  if (names.length === 0 || names.some((name) => layout.includes(name))) return undefined;
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ', ...' : '');
  return {
    severity: 'error',
    code: 'BUNDLE_LAYOUT_MISSING',
    file: '.',
    summary: `${root} holds no bundle: none of ${layout.map((n) => (n === OPTIONS_FILE ? n : `${n}/`)).join(', ')} is in it (it holds ${shown}); point bricklane at the folder that holds them.`,
  };
}

/** Every entry of the known folders; anything else at the top level is listed but not walked. */
async function listEntries(root: string): Promise<BundleEntry[]> {
  const entries: BundleEntry[] = [];
  const visit = async (relative: string): Promise<void> => {
    const children = await readdir(join(root, relative), { withFileTypes: true });
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const child of children) {
      const path = relative === '' ? child.name : `${relative}/${child.name}`;
      if (child.isDirectory()) {
        const walk =
          relative === ''
            ? (BUNDLE_FOLDERS as readonly string[]).includes(child.name)
            : !child.name.startsWith('.');
        if (walk) await visit(path);
        else entries.push({ type: 'directory', path });
      } else if (child.isSymbolicLink()) entries.push({ type: 'symlink', path });
      else if (child.isFile()) entries.push({ type: 'file', path, size: 0, sha256: '' });
      else entries.push({ type: 'special', path });
    }
  };
  await visit('');
  return entries;
}

async function readFileEntry(
  root: string,
  path: string,
  known: { size: number; sha256: string } | undefined,
): Promise<BundleEntry> {
  const kind = jsonKindOf(path);
  // A verified file that validation does not read needs no opening at all.
  if (known && kind === undefined) return { type: 'file', path, size: known.size, sha256: known.sha256 };
  let handle;
  try {
    handle = await open(join(root, path), READ_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') return { type: 'symlink', path };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (kind !== undefined && size <= (kind === 'jupyter' ? MAX_WORKSPACE_IMPORT_BYTES : MAX_JSON_BYTES)) {
      const bytes = await handle.readFile();
      const parsed = parseJsonText(bytes.toString('utf8'));
      return {
        type: 'file',
        path,
        size: bytes.length,
        sha256: known?.sha256 ?? createHash('sha256').update(bytes).digest('hex'),
        json: kind === 'jupyter' ? topLevelOnly(parsed) : parsed,
      };
    }
    if (known) {
      const file: BundleFile = { type: 'file', path, size: known.size, sha256: known.sha256 };
      if (kind === 'json')
        file.json = { ok: false, message: `larger than ${MAX_JSON_BYTES} bytes, not read` };
      return file;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream('', {
      fd: handle,
      autoClose: false,
    }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    const file: BundleFile = { type: 'file', path, size: bytes, sha256: hash.digest('hex') };
    if (kind === 'json') file.json = { ok: false, message: `larger than ${MAX_JSON_BYTES} bytes, not read` };
    return file;
  } finally {
    await handle.close();
  }
}

/** Validation checks a notebook's shape, not its cells: keep the top level, drop nested content. */
function topLevelOnly(parsed: ParsedJson): ParsedJson {
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value))
    return parsed;
  const shape: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed.value)) {
    shape[key] = Array.isArray(value) ? [] : value !== null && typeof value === 'object' ? {} : value;
  }
  return { ok: true, value: shape };
}

async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
