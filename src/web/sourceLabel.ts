// Pure: how a release's source kind reads on a page.

const SOURCE_LABELS: Record<string, string> = {
  upload: 'bundle upload',
  github: 'GitHub push',
  azureRepos: 'Azure Repos push',
  manual: 'manual run',
};

export function sourceLabel(kind: string): string {
  return Object.hasOwn(SOURCE_LABELS, kind) ? (SOURCE_LABELS[kind] ?? kind) : kind;
}
