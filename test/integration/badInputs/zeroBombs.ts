// Test infrastructure: tar.gz bombs of any unpacked size, built in a fraction of a second and a few MB of
// memory. Deflate blocks ended with a sync flush start on a byte boundary and refer to nothing before them
// (RFC 1951, 3.2.3: a fresh compressor has no history), so the compressed form of one MiB of zeros can be
// repeated as often as needed; the gzip trailer's CRC-32 is computed as the zeros go by (RFC 1952, 2.3.1).
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { Header } from 'tar';

const MIB = 1024 * 1024;
const BLOCK = 512;
const ZERO_MIB = Buffer.alloc(MIB);
const SYNC = { finishFlush: constants.Z_SYNC_FLUSH };
const DEFLATED_ZERO_MIB = deflateRawSync(ZERO_MIB, SYNC);

/** A tar.gz whose files hold only zeros: `files` entries of `mibEach` MiB each, named zeros-<n>.bin. */
export function zeroTarGz(files: number, mibEach: number): Buffer {
  const parts: Buffer[] = [];
  let crc = 0;
  let size = 0;
  const add = (bytes: Buffer): void => {
    parts.push(deflateRawSync(bytes, SYNC));
    crc = crc32(bytes, crc);
    size += bytes.length;
  };
  for (let n = 0; n < files; n += 1) {
    const header = Buffer.alloc(BLOCK);
    new Header({
      path: `zeros-${n}.bin`,
      mode: 0o644,
      size: mibEach * MIB,
      mtime: new Date(0),
      type: 'File',
    }).encode(header, 0);
    add(header);
    for (let mib = 0; mib < mibEach; mib += 1) {
      parts.push(DEFLATED_ZERO_MIB);
      crc = crc32(ZERO_MIB, crc);
      size += MIB;
    }
  }
  const end = Buffer.alloc(2 * BLOCK);
  parts.push(deflateRawSync(end));
  crc = crc32(end, crc);
  size += end.length;
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  // ID1 ID2, deflate, no flags, no mtime, no extra flags, OS unknown.
  const gzipHeader = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  return Buffer.concat([gzipHeader, ...parts, trailer]);
}
