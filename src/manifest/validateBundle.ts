// Pure: the bundle's files (metadata, hashes, parsed JSON) -> Bundle, or every problem at once.
// The steps run in apply-wave order because later ones resolve references to earlier items:
// clusters name init scripts, jobs name clusters and notebooks. A step that finds errors still
// hands what it could read to the next one, so one run reports all problems in the bundle.
import type {
  Bundle,
  BundleEntry,
  Diagnostic,
  InitScriptItem,
  LoadResult,
  NotebookItem,
  WorkspaceFileItem,
} from './Bundle';
import { classifyEntries } from './classifyEntries';
import { collectClusters } from './collectClusters';
import { collectJobs } from './collectJobs';
import { collectPermissions } from './collectPermissions';
import { collectPolicies } from './collectPolicies';
import { collectSecrets } from './collectSecrets';
import { collectWorkspaceItems } from './collectWorkspaceItems';
import { createReferenceIndex } from './createReferenceIndex';
import { checkedChecks, DEFAULT_PROJECT, parseBundleOptions } from './parseBundleOptions';
import { resolvePolicyReferences } from './resolvePolicyReferences';

/** `project` (BRICKLANE_PROJECT) names the default deployment folder. */
export function validateBundle(
  root: string,
  entries: readonly BundleEntry[],
  project: string = DEFAULT_PROJECT,
): LoadResult {
  const layout = classifyEntries(entries);
  const { options, diagnostics: optionDiagnostics } = parseBundleOptions(layout.optionsFile, project);
  const items = collectWorkspaceItems(layout.initScripts, layout.notebookFiles, options);
  const initScriptIndex = createReferenceIndex<InitScriptItem>('init-scripts', items.initScripts);
  const clusters = collectClusters(layout.clusterFiles, options, items.initScripts, initScriptIndex);
  const jobs = collectJobs(layout.jobFiles, {
    options,
    clusterNames: clusters.names,
    workspace: createReferenceIndex<NotebookItem | WorkspaceFileItem>('notebooks', [
      ...items.notebooks,
      ...items.files,
    ]),
    initScripts: items.initScripts,
    initScriptIndex,
  });
  // Permissions leave the cluster and job bodies first, then each cluster is checked against its policy.
  const policies = collectPolicies(layout.policyFiles);
  const permissions = collectPermissions(
    { clusters: clusters.clusters, jobs: jobs.jobs, policies: policies.policies },
    new Map(layout.policyFiles.map((f) => [f.path, f.json?.ok === true ? f.json.value : undefined])),
    options,
  );
  const referenced = resolvePolicyReferences(
    permissions.clusters,
    permissions.jobs,
    policies.policies,
    policies.names,
  );
  const secrets = collectSecrets(layout.secretFiles);

  const diagnostics = sortDiagnostics([
    ...layout.diagnostics,
    ...optionDiagnostics,
    ...items.diagnostics,
    ...clusters.diagnostics,
    ...jobs.diagnostics,
    ...policies.diagnostics,
    ...permissions.diagnostics,
    ...referenced.diagnostics,
    ...secrets.diagnostics,
    ...checkedChecks(options.checks ?? [], new Set(jobs.jobs.map((j) => j.name))),
  ]);
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const bundle: Bundle = {
    root,
    options,
    initScripts: items.initScripts,
    clusters: referenced.clusters,
    notebooks: items.notebooks,
    files: items.files,
    jobs: referenced.jobs,
    policies: policies.policies,
    permissions: permissions.permissions,
    secrets: secrets.secrets,
  };
  return { bundle, diagnostics };
}

/** Errors first, then by file; the order within a file is the order the rules found them. */
function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const rank = (d: Diagnostic): number => (d.severity === 'error' ? 0 : 1);
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => rank(a.d) - rank(b.d) || (a.d.file < b.d.file ? -1 : a.d.file > b.d.file ? 1 : a.i - b.i))
    .map(({ d }) => d);
}
