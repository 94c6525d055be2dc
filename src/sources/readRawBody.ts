// I/O: a request's body as the exact bytes sent, read up to a limit. Webhook signatures are computed over
// those bytes, so nothing is decoded or re-serialized before verification; a body over the limit is refused
// by its Content-Length, or abandoned as soon as the bytes read pass the limit, never buffered whole.
import type { HttpRequest } from '@azure/functions';

export type RawBody = { ok: true; bytes: Buffer } | { ok: false; reason: 'tooLarge' };

export async function readRawBody(
  request: Pick<HttpRequest, 'headers' | 'body'>,
  maxBytes: number,
): Promise<RawBody> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) return { ok: false, reason: 'tooLarge' };
  if (!request.body) return { ok: true, bytes: Buffer.alloc(0) };
  const reader = request.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (done || !value) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, reason: 'tooLarge' };
    }
    chunks.push(Buffer.from(value));
  }
  return { ok: true, bytes: Buffer.concat(chunks, size) };
}
