// The zip of a directory import is built entry by entry: one file read and one compressor at a time, never the
// whole folder's files (or a compressor per file) at once. That is what kept a 10,000-notebook import at 2.2 GB.
import { createHook } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { buildDirectoryZip } from '../../../../src/activities/engine/buildDirectoryZip';
import { readArchive } from '../../../emulator/notebookFormats';

const entries = Array.from({ length: 50 }, (_, i) => {
  const text = `# Databricks notebook source\nprint(${i})\n${'# padding\n'.repeat(i)}`;
  return { zipPath: `new/f${i % 5}/nb${i}.py`, size: Buffer.byteLength(text), text };
});

/** zlib compressors created so far (async resource type ZLIB: node:zlib's handles). */
function countCompressors(): { created: () => number; stop: () => void } {
  let created = 0;
  const hook = createHook({
    init: (_id, type) => {
      if (type === 'ZLIB') created += 1;
    },
  }).enable();
  return { created: () => created, stop: () => hook.disable() };
}

describe('buildDirectoryZip', () => {
  it('zips every entry under its path, the same bytes for the same entries', async () => {
    const read = (e: (typeof entries)[number]): Promise<Buffer> => Promise.resolve(Buffer.from(e.text));
    const zip = await buildDirectoryZip(entries, read);
    expect(readArchive(zip).map((e) => [e.path, e.data.toString('utf8')])).toEqual(
      entries.map((e) => [e.zipPath, e.text]),
    );
    expect((await buildDirectoryZip(entries, read)).equals(zip)).toBe(true);
  });

  it('reads one file at a time, each when the zip reaches it, with one compressor per file before it', async () => {
    const compressors = countCompressors();
    let reading = 0;
    let mostAtOnce = 0;
    const seen: { index: number; compressorsBefore: number }[] = [];
    try {
      await buildDirectoryZip(entries, async (e) => {
        reading += 1;
        mostAtOnce = Math.max(mostAtOnce, reading);
        seen.push({ index: entries.indexOf(e), compressorsBefore: compressors.created() });
        await new Promise((resolve) => setTimeout(resolve, 1));
        reading -= 1;
        return Buffer.from(e.text);
      });
    } finally {
      compressors.stop();
    }
    expect(mostAtOnce).toBe(1);
    // In zip order, and the zip has taken (and started compressing) every file before this one: the files are
    // not all read first, nor all compressed at once.
    expect(seen).toEqual(entries.map((_, index) => ({ index, compressorsBefore: index })));
  });

  it('fails, rather than waits, when a file cannot be read or is not the size planned', async () => {
    await expect(
      buildDirectoryZip(entries, (e) =>
        e.zipPath.endsWith('nb7.py')
          ? Promise.reject(new Error('gone'))
          : Promise.resolve(Buffer.from(e.text)),
      ),
    ).rejects.toThrow('gone');
    await expect(
      buildDirectoryZip(entries, (e) => Promise.resolve(Buffer.from(`${e.text}changed`))),
    ).rejects.toThrow(/unexpected number of bytes/);
  });
});
