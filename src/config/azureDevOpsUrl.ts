// Pure: a URL inside the configured Azure DevOps organization, built from the organization URL (a setting,
// never a payload's) and path segments. Each segment is percent-encoded and `.`, `..` and empty segments
// are refused: WHATWG URL parsing removes dot segments (and reads %2e as a dot), so `..` as a project name
// would climb out of the organization path, and the bearer token would go to whatever URL that is (issue
// 10). The finished URL is checked again: same origin, and a path under the organization's.
export function azureDevOpsUrl(
  organizationUrl: string,
  segments: readonly string[],
  query: Readonly<Record<string, string>> = {},
): URL | undefined {
  let organization: URL;
  try {
    organization = new URL(organizationUrl);
  } catch {
    return undefined;
  }
  if (organization.protocol !== 'https:' || organization.search || organization.hash) return undefined;
  if (segments.some((s) => s === '' || /^(?:\.|%2e){1,2}$/i.test(s))) return undefined;
  const base = organization.pathname.replace(/\/+$/, '');
  const url = new URL(`${organization.origin}${base}/${segments.map(encodeURIComponent).join('/')}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.origin === organization.origin && url.pathname.startsWith(`${base}/`) ? url : undefined;
}
