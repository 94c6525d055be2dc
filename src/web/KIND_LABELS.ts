// Pure: how the pages name each kind of resource, and how many of its items they list.
import type { ResourceKind } from '../manifest/Bundle';

export const KIND_LABELS: Record<ResourceKind, string> = {
  initScripts: 'Init scripts',
  clusters: 'Clusters',
  notebooks: 'Notebooks',
  files: 'Workspace files',
  jobs: 'Jobs',
};

/** A page with thousands of rows is unreadable on a phone; the counts above a list stay exact. */
export const MAX_ITEMS_PER_KIND = 200;
