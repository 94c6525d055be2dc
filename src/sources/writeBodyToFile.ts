// I/O: streams a response body to a file, stopping as soon as it passes a size cap. An archive is never
// held in memory, and an oversize one is refused both by its declared length and by the bytes that arrive
// (Content-Length is absent on chunked answers, and a server may lie about it).
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { describeNetworkFailure } from './describeNetworkFailure';
import { SourceFetchError } from './SourceFetchError';

export async function writeBodyToFile(
  response: Response,
  destFile: string,
  options: { maxBytes: number; label: string },
): Promise<number> {
  const url = new URL(response.url || 'https://unknown.invalid');
  const tooLarge = (): SourceFetchError =>
    new SourceFetchError(
      'SourceTooLarge',
      `${options.label}: the archive is larger than ${sizeText(options.maxBytes)}; ` +
        'keep large files out of the repository or fetch from a smaller one',
      true,
    );
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) {
    throw new SourceFetchError(
      'SourceUnexpectedResponse',
      `${options.label}: the archive answer had no body`,
      true,
    );
  }
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      bytes += chunk.length;
      if (bytes > options.maxBytes) done(tooLarge());
      else done(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>),
      counter,
      createWriteStream(destFile),
    );
  } catch (error) {
    await rm(destFile, { force: true });
    // A local file error (disk full, temp folder gone) is this machine's, not the host's: thrown as is.
    if (error instanceof Error && 'path' in error) throw error;
    throw describeNetworkFailure(error, url, options.label);
  }
  return bytes;
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${bytes} bytes`;
}
