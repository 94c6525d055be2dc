// Pure: whether a Content-Type header names JSON (`application/json`, with or without parameters such as
// Azure DevOps' `; charset=utf-8`). GitHub's default webhook content type is form-encoded, which is refused.
export function isJsonContentType(header: string | null): boolean {
  const mediaType = (header ?? '').split(';', 1)[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}
