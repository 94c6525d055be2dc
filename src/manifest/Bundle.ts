// Pure: the bundle model that validation produces and planning consumes.
// Items carry hashes and bundle-relative paths, never file contents: apply reads bytes from disk when
// it writes, so a 1,000-notebook bundle stays small in memory and in orchestration history.

export type NotebookLanguage = 'PYTHON' | 'SQL' | 'SCALA' | 'R';

/** Resource kinds, in apply-wave order. Resource keys are `<kind>.<name>`. */
export const RESOURCE_KINDS = ['initScripts', 'clusters', 'notebooks', 'files', 'jobs'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Options from the bundle's optional `bricklane.json`. Code-owned only: never environments or secrets. */
export interface BundleOptions {
  /** Workspace folder that mirrors `notebooks/` (the seed deployed to a folder under /Users). */
  notebookRoot: string;
  /** Keep `.py`/`.sql`/... on notebook paths; false strips them, as the workspace UI shows notebooks. */
  keepNotebookExtensions: boolean;
  /** Where init scripts go: workspace files (default) or the seed's deprecated `dbfs:/init-scripts`. */
  initScriptTarget: 'workspace' | 'dbfs';
  /** Folder for init scripts: a workspace path, or a `dbfs:/` path when `initScriptTarget` is dbfs. */
  initScriptRoot: string;
  /** What happens to clusters this deploy created or edited: the seed terminates them. */
  clusterLifecycle: 'terminate' | 'running' | 'unchanged';
  /** Delete objects that an earlier deploy created and the bundle no longer has. */
  prune: boolean;
}

/** A file of the bundle, by reference. */
export interface FileRef {
  /** Bundle-relative POSIX path, e.g. `notebooks/etl/ingest.py`. */
  source: string;
  /** sha256 (hex) of the bytes that will be written. */
  sha256: string;
  size: number;
}

export interface InitScriptItem extends FileRef {
  key: string; // initScripts.<path under init-scripts/>
  /** Deployed location: an absolute workspace path, or `dbfs:/...`. */
  target: string;
}

export interface NotebookItem extends FileRef {
  key: string; // notebooks.<workspace path>
  /** Absolute workspace path the notebook is imported to. */
  target: string;
  format: 'SOURCE' | 'JUPYTER';
  /** Required for SOURCE. */
  language?: NotebookLanguage;
}

export interface WorkspaceFileItem extends FileRef {
  key: string; // files.<workspace path>
  /** Absolute workspace path; imported with format AUTO. */
  target: string;
}

export interface ClusterItem {
  key: string; // clusters.<cluster_name>
  name: string;
  /** Bundle-relative file the cluster came from. */
  source: string;
  /** `clusters/create` payload with init-script references resolved to deployed locations. */
  spec: Record<string, unknown>;
  /** sha256 of the canonical JSON of `spec`. */
  sha256: string;
}

export interface JobItem {
  key: string; // jobs.<name>
  name: string;
  source: string;
  /**
   * Jobs 2.1 settings (the seed's 2.0 single-task form is converted to one task). Notebook paths
   * are resolved to deployed workspace paths. Clusters are still named by `existing_cluster_name`;
   * apply swaps in `existing_cluster_id` from the live workspace.
   */
  settings: Record<string, unknown>;
  /** Names of the bundle clusters this job uses. */
  clusterRefs: string[];
  sha256: string;
}

export interface Bundle {
  /** Absolute folder the bundle was loaded from. */
  root: string;
  options: BundleOptions;
  initScripts: InitScriptItem[];
  clusters: ClusterItem[];
  notebooks: NotebookItem[];
  files: WorkspaceFileItem[];
  jobs: JobItem[];
}

/** One problem found in a bundle. Validation collects them all instead of stopping at the first. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** One sentence saying what is wrong and how to fix it. */
  summary: string;
  /** Bundle-relative file. */
  file: string;
  /** JSON path inside the file (e.g. `$.tasks[0].notebook_task.notebook_path`), when it applies. */
  path?: string;
}

export interface LoadResult {
  /** Present only when there is no error diagnostic: nothing is deployed from an invalid bundle. */
  bundle?: Bundle;
  diagnostics: Diagnostic[];
}
