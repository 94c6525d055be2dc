// Pure: a link between the status pages. The routes take a function key, so every link carries the key
// the page was opened with (`?code=`); the pages are served with Referrer-Policy no-referrer, so the key
// does not leak to the external links (commits) on them.

export function pageLink(
  path: string,
  functionKey: string | undefined,
  query: Readonly<Record<string, string>> = {},
): string {
  const params = new URLSearchParams(query);
  if (functionKey) params.set('code', functionKey);
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}
