// Pure: the bundle model that validation produces and planning consumes.
// Items carry hashes and bundle-relative paths, never file contents: apply reads bytes from disk when
// it writes, so a 1,000-notebook bundle stays small in memory and in orchestration history.

export type NotebookLanguage = 'PYTHON' | 'SQL' | 'SCALA' | 'R';

/** Resource kinds, in apply-wave order. Resource keys are `<kind>.<name>`. */
export const RESOURCE_KINDS = [
  'initScripts',
  'policies',
  'clusters',
  'secrets',
  'notebooks',
  'files',
  'jobs',
  'permissions',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Top-level folders of a bundle (the seed's layout), besides the optional options file. */
export const BUNDLE_FOLDERS = [
  'init-scripts',
  'clusters',
  'notebooks',
  'jobs',
  'secrets',
  'policies',
] as const;
export const OPTIONS_FILE = 'bricklane.json';

/**
 * The most base64 a workspace/import `content` may carry: "content: The base64-encoded content. This has a
 * limit of 10 MB" (https://docs.databricks.com/api/workspace/workspace/import). The limit is on the base64 sent,
 * not on the file, and the reference does not say MB or MiB: 10,000,000 characters stay under both readings.
 * (databricks/workspaceApi.ts refuses the same before sending; the tiers keep the two constants apart.)
 */
export const MAX_IMPORT_BASE64_LENGTH = 10_000_000;

/**
 * The largest notebook, workspace file or workspace init script a deploy can write: the largest file whose
 * base64 (4 characters per 3 bytes) fits MAX_IMPORT_BASE64_LENGTH, 7,500,000 bytes (7.15 MiB). Everything in
 * the workspace tree goes through workspace/import in every format; the UI's 100 MB for IPYNB
 * (notebook-limitations) is not the API's. No documented call writes a larger workspace file: the Files API
 * (`/api/2.0/fs/files`) is documented for Unity Catalog volumes, so a bundle keeps large data in a volume, DBFS or
 * cloud storage.
 */
export const MAX_WORKSPACE_IMPORT_BYTES = (MAX_IMPORT_BASE64_LENGTH / 4) * 3;

/** Options from the bundle's optional `bricklane.json`. Code-owned only: never environments or secrets. */
export interface BundleOptions {
  /** Workspace folder that mirrors `notebooks/` (the seed deployed to a folder under /Users). */
  notebookRoot: string;
  /** Keep `.py`/`.sql`/... on notebook paths; false strips them, as the workspace UI shows notebooks. */
  keepNotebookExtensions: boolean;
  /** Where init scripts go: workspace files (default) or the seed's deprecated `dbfs:/init-scripts`. */
  initScriptTarget: 'workspace' | 'dbfs' | 'volume';
  /**
   * Folder for init scripts: a workspace path, a Unity Catalog volume folder (`/Volumes/<catalog>/<schema>/<volume>/...`,
   * written through the Files API) when `initScriptTarget` is volume, or a `dbfs:/` path when it is dbfs.
   */
  initScriptRoot: string;
  /** What happens to clusters this deploy created or edited: the seed terminates them. */
  clusterLifecycle: 'terminate' | 'running' | 'unchanged';
  /** Delete objects that an earlier deploy created and the bundle no longer has. */
  prune: boolean;
  /** The deployed notebook folder's permissions, as written (collectPermissions.ts reads them); absent: none. */
  permissions?: unknown[];
  /**
   * Every declared `permissions` list replaces its object's direct entries (Permissions API PUT). Default false:
   * bricklane adds and updates the entries it declares and keeps (and reports) entries added by hand.
   */
  authoritativePermissions: boolean;
  /** Jobs of the bundle run after an environment is applied; the stage passes when they succeed. Absent: none. */
  checks?: BundleCheck[];
}

/** A job of the bundle, by name, run as a check with a timeout (bricklane.json `checks`). */
export interface BundleCheck {
  job: string;
  timeoutMinutes: number;
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
  /** Keys (`initScripts.<path>`) of the bundle init scripts `spec` references; set by validation. */
  initScriptRefs?: string[];
  /** Init scripts `spec` runs from outside the bundle (absent when none), for the operator's boundaries. */
  externalInitScripts?: ExternalInitScript[];
  /** Names of the bundle policies `spec` names (`policy_name`; apply swaps in `policy_id`); absent when none. */
  policyRefs?: string[];
}

/** An init script a cluster runs from a location the bundle does not deploy (volumes, DBFS, abfss, ...). */
export interface ExternalInitScript {
  /** Storage type: workspace, volumes, dbfs, abfss, file, s3, gcs. */
  type: string;
  destination: string;
  /** JSON path of the destination in the bundle file, as the file spells it. */
  path: string;
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
  /** sha256 of the canonical JSON of `settings`. */
  sha256: string;
  /** Keys (`notebooks.<target>`) of the bundle notebooks the job runs; set by validation. */
  notebookRefs?: string[];
  /** Init scripts the job's clusters run from outside the bundle (absent when none). */
  externalInitScripts?: ExternalInitScript[];
  /** Names of the bundle policies the job's clusters name (`policy_name`); absent when none. */
  policyRefs?: string[];
}

/** A cluster policy (`policies/*.json`), keyed by its name. */
export interface PolicyItem {
  key: string; // policies.<name>
  name: string;
  source: string;
  /** The policies/clusters/create body: name, definition (a JSON string), description, max_clusters_per_user, libraries. */
  spec: Record<string, unknown>;
  /** The definition as an object, to check cluster specs against (checkClusterPolicy.ts). */
  definition: Record<string, unknown>;
  /** sha256 of the canonical JSON of `spec` with the definition parsed. */
  sha256: string;
}

/** The Permissions API object types bricklane sets permissions on, as its paths spell them. */
export type PermissionObjectType = 'jobs' | 'clusters' | 'cluster-policies' | 'directories';

/** One `access_control_list` entry: exactly one principal field and a level. */
export interface AccessControlEntry {
  user_name?: string;
  group_name?: string;
  service_principal_name?: string;
  permission_level: string;
}

/** The declared permissions of one object (collectPermissions.ts). */
export interface PermissionsItem {
  key: string; // permissions.<object key>: permissions.jobs.nightly, permissions.directories./Shared/MyProject
  /** The object's own key: `jobs.<name>`, `clusters.<name>`, `policies.<name>`, `directories.<folder>`. */
  object: string;
  objectType: PermissionObjectType;
  /** The object's name, or the folder's workspace path. */
  target: string;
  source: string;
  /** In the file's order (one per principal). */
  entries: AccessControlEntry[];
  /** From the bundle options: PUT replaces the direct entries instead of PATCH adding to them. */
  authoritative: boolean;
  /** sha256 of the canonical JSON of `{ entries, authoritative }`: the ledger's record, so a redeploy writes nothing. */
  sha256: string;
}

export type SecretPermission = 'READ' | 'WRITE' | 'MANAGE';

/** One entry of a secret scope's ACL (Secrets API acls/put: a user or group name and its permission). */
export interface SecretAcl {
  principal: string;
  permission: SecretPermission;
}

/**
 * A Databricks-backed secret scope (`secrets.<scope>`), or one secret copied into it (`secrets.<scope>/<key>`)
 * from the environment's Key Vault. Names only: a bundle never carries a secret value, and neither does any
 * item, plan or ledger made from it (the ledger keeps the Key Vault version id).
 */
export type SecretItem = SecretScopeItem | SecretKeyItem;

export interface SecretScopeItem {
  type: 'scope';
  key: string; // secrets.<scope>
  scope: string;
  source: string;
  /** The scope's ACL entries as the bundle declares them, sorted by principal. */
  acls: SecretAcl[];
  /** sha256 of the canonical JSON of `acls`. */
  sha256: string;
}

export interface SecretKeyItem {
  type: 'key';
  key: string; // secrets.<scope>/<secret key>
  scope: string;
  /** The secret's key in the scope (what `dbutils.secrets.get(scope, key)` names). */
  name: string;
  /** The Key Vault secret of the environment whose current version is copied. */
  vaultSecret: string;
  source: string;
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
  /** Cluster policies (collectPolicies.ts); clusters and job clusters name them by `policy_name`. */
  policies: PolicyItem[];
  /** Declared permissions, one item per object (collectPermissions.ts). */
  permissions: PermissionsItem[];
  /** Secret scopes and the secrets copied into them from the environment's Key Vault (collectSecrets.ts). */
  secrets: SecretItem[];
  /**
   * The bundle as one environment deploys it differs from its files: what its plan warns about it (set by
   * retargetInitScripts.ts, when the operator chose where that environment's init scripts go).
   */
  environmentWarnings?: string[];
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
  /** Stable machine-readable reason, e.g. `MAX_NOTEBOOK_SIZE_EXCEEDED`; tests and tools match on it. */
  code?: string;
  /** 1-based position in the file, when known (malformed JSON). */
  line?: number;
  column?: number;
}

export interface LoadResult {
  /** Present only when there is no error diagnostic: nothing is deployed from an invalid bundle. */
  bundle?: Bundle;
  diagnostics: Diagnostic[];
}

/** Result of parsing a JSON file of the bundle; errors keep the position for the diagnostic. */
export type ParsedJson =
  { ok: true; value: unknown } | { ok: false; message: string; line?: number; column?: number };

/**
 * One file of the bundle as validation sees it: metadata and hash, never the bytes. `json` is present
 * for the files validation reads (`bricklane.json`, `clusters/*.json`, `jobs/*.json`, and `.ipynb`
 * notebooks, of which only the top level is kept).
 */
export interface BundleFile {
  type: 'file';
  /** Bundle-relative POSIX path. */
  path: string;
  size: number;
  sha256: string;
  json?: ParsedJson;
}

/** Anything else the loader met: folders it did not descend into, links and special files. */
export interface BundleOtherEntry {
  type: 'directory' | 'symlink' | 'special';
  path: string;
}

export type BundleEntry = BundleFile | BundleOtherEntry;
