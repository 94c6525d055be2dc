// Test infrastructure: a zip of a repository's files at the archive root, with folder entries, deflated,
// UTF-8 names (general purpose flag bit 11), as Azure DevOps' Items - Get with $format=zip answers.
// Written by hand (APPNOTE.TXT 4.3): the project depends on a zip reader only.
import { crc32, deflateRawSync } from 'node:zlib';
import type { RepoFile } from './collectRepoFiles';

// 2026-11-20 10:00:00 in MS-DOS date and time fields.
const DOS_TIME = (10 << 11) | (0 << 5) | 0;
const DOS_DATE = ((2026 - 1980) << 9) | (11 << 5) | 20;

export function buildZip(files: readonly RepoFile[]): Buffer {
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(`${parts.slice(0, i).join('/')}/`);
  }
  const entries = [
    ...[...folders].map((path) => ({ path, data: undefined as Buffer | undefined })),
    ...files.map((f) => ({ path: f.path, data: f.data as Buffer | undefined })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.path, 'utf8');
    const data = entry.data ?? Buffer.alloc(0);
    const compressed = entry.data ? deflateRawSync(data) : data;
    const method = entry.data ? 8 : 0;
    const crc = entry.data ? crc32(data) : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    // Unix mode in the high half of the external attributes; 0x10 is the MS-DOS folder bit.
    central.writeUInt32LE(entry.data ? (0o100644 << 16) >>> 0 : ((0o40755 << 16) | 0x10) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
