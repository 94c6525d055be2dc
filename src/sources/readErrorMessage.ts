// I/O: the host's own words from an error answer (`message` of a JSON body), short and secret-free, to
// make a failure actionable (Azure DevOps puts its TF error codes there). HTML sign-in pages say nothing
// useful and are dropped. Any secret we sent is masked in case a host echoes it.
const MAX_READ_BYTES = 8 * 1024;
const MAX_SHOWN_CHARS = 240;

export async function readErrorMessage(
  response: Response,
  ...secrets: (string | undefined)[]
): Promise<string> {
  let text: string;
  try {
    const reader = response.body?.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (reader && size < MAX_READ_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
    await reader?.cancel().catch(() => undefined);
    text = Buffer.concat(chunks).toString('utf8');
  } catch {
    return '';
  }
  let message = '';
  if (/json/i.test(response.headers.get('content-type') ?? '')) {
    try {
      const parsed = JSON.parse(text) as { message?: unknown };
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // A truncated or malformed error body: nothing to quote.
    }
  } else if (/^text\/plain/i.test(response.headers.get('content-type') ?? '')) {
    message = text.split('\n', 1)[0] ?? '';
  }
  for (const secret of secrets) if (secret) message = message.split(secret).join('***');
  message = message.replace(/\s+/g, ' ').trim();
  return message.length > MAX_SHOWN_CHARS ? `${message.slice(0, MAX_SHOWN_CHARS)}…` : message;
}
