// Test helpers: archives built byte by byte, so tests can craft what no well-behaved tool writes: links,
// devices, "../" names, lying sizes, overlapping zip entries, bombs.
import { deflateRawSync, crc32, gzipSync } from 'node:zlib';
import { Header, Pax, type HeaderData } from 'tar';

type EntryTypeName = NonNullable<HeaderData['type']>;

export interface TarEntrySpec {
  path: string;
  type?: EntryTypeName;
  data?: Buffer | string;
  linkpath?: string;
  /** A PAX extended header before the entry, e.g. a long path (or a crafted one the ustar header hides). */
  pax?: { path?: string };
  /** A PAX global header (git archive writes `comment=<commit>` as the first entry). */
  globalComment?: string;
}

const BLOCK = 512;

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

function header(data: HeaderData): Buffer {
  const block = Buffer.alloc(BLOCK);
  new Header({ mode: 0o644, uid: 0, gid: 0, mtime: new Date(0), ...data }).encode(block, 0);
  return block;
}

/** Raw tar blocks, ending with the two zero blocks unless `end` is false. */
export function tarArchive(entries: readonly TarEntrySpec[], end = true): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.globalComment !== undefined) {
      const body = Buffer.from(paxRecord('comment', e.globalComment));
      parts.push(header({ path: 'pax_global_header', type: 'GlobalExtendedHeader', size: body.length }));
      parts.push(pad(body));
      continue;
    }
    if (e.pax) parts.push(new Pax({ ...e.pax, mtime: new Date(0) }).encode());
    const data = Buffer.from(e.data ?? '');
    const type = e.type ?? 'File';
    parts.push(
      header({
        path: e.path,
        type,
        size: type === 'File' ? data.length : 0,
        mode: type === 'Directory' ? 0o755 : 0o644,
        ...(e.linkpath ? { linkpath: e.linkpath } : {}),
      }),
    );
    if (type === 'File') parts.push(pad(data));
  }
  if (end) parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

export function tarGz(entries: readonly TarEntrySpec[]): Buffer {
  return gzipSync(tarArchive(entries));
}

function paxRecord(key: string, value: string): string {
  // "<length> <key>=<value>\n", where length counts itself.
  const rest = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(rest) + 1;
  while (String(length).length + Buffer.byteLength(rest) !== length) length += 1;
  return `${length}${rest}`;
}

export interface ZipEntrySpec {
  name: string;
  data?: Buffer | string;
  /** 0 stored, 8 deflated (default). */
  method?: 0 | 8;
  /** Unix st_mode (e.g. 0o120777 for a symlink); written with "made by Unix" like Info-ZIP does. */
  mode?: number;
  /** What the headers claim the entry inflates to (a lie when set). */
  declaredSize?: number;
  crc?: number;
  /** Sizes and CRC in a data descriptor after the data, as streaming writers (and Azure DevOps) do. */
  descriptor?: boolean;
  /** Point this central-directory entry at an earlier entry's local header (an overlapping zip bomb). */
  sameDataAs?: number;
}

/** A zip with a local header per entry, a central directory and the end record. */
export function zipArchive(entries: readonly ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  entries.forEach((e, index) => {
    const name = Buffer.from(e.name, 'utf8');
    const raw = Buffer.from(e.data ?? '');
    const method = e.method ?? 8;
    const packed = method === 8 ? deflateRawSync(raw) : raw;
    const crc = e.crc ?? crc32(raw);
    const size = e.declaredSize ?? raw.length;
    const flags = 0x0800 | (e.descriptor ? 0x0008 : 0);
    let at = offset;
    if (e.sameDataAs !== undefined) {
      at = offsets[e.sameDataAs] ?? 0;
    } else {
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(flags, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt16LE(0, 10);
      local.writeUInt16LE(0x21, 12);
      local.writeUInt32LE(e.descriptor ? 0 : crc >>> 0, 14);
      local.writeUInt32LE(e.descriptor ? 0 : packed.length, 18);
      local.writeUInt32LE(e.descriptor ? 0 : size, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(0, 28);
      const parts = [local, name, packed];
      if (e.descriptor) {
        const descriptor = Buffer.alloc(16);
        descriptor.writeUInt32LE(0x08074b50, 0);
        descriptor.writeUInt32LE(crc >>> 0, 4);
        descriptor.writeUInt32LE(packed.length, 8);
        descriptor.writeUInt32LE(size, 12);
        parts.push(descriptor);
      }
      const bytes = Buffer.concat(parts);
      locals.push(bytes);
      offset += bytes.length;
    }
    offsets[index] = at;
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(e.mode === undefined ? 20 : (3 << 8) | 30, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    const dosDirectory = e.name.endsWith('/') ? 0x10 : 0;
    central.writeUInt32LE((((e.mode ?? 0) << 16) | dosDirectory) >>> 0, 38);
    central.writeUInt32LE(at, 42);
    centrals.push(Buffer.concat([central, name]));
  });
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
