// Pure: sorts the loader's entries into the bundle's folders and reports what does not belong.
// Hidden names (`.git`, `.DS_Store`, `.ipynb_checkpoints`) are skipped silently everywhere: they are
// tooling state, and a hidden file such as `.env` must never be uploaded by accident.
import { BUNDLE_FOLDERS, OPTIONS_FILE, type BundleEntry, type BundleFile, type Diagnostic } from './Bundle';

export interface ClassifiedEntries {
  optionsFile?: BundleFile;
  initScripts: BundleFile[];
  clusterFiles: BundleFile[];
  notebookFiles: BundleFile[];
  jobFiles: BundleFile[];
  secretFiles: BundleFile[];
  policyFiles: BundleFile[];
  diagnostics: Diagnostic[];
}

/** Top-level files that are documentation or repository furniture, ignored without a word. */
const QUIET_TOP_LEVEL =
  /^(readme|license|licence|notice|changelog|contributing|codeowners|security|authors)(\..*)?$|\.(md|txt|rst|adoc)$/i;

const LAYOUT = `${BUNDLE_FOLDERS.map((f) => `${f}/`).join(', ')} and ${OPTIONS_FILE}`;

export function classifyEntries(entries: readonly BundleEntry[]): ClassifiedEntries {
  const out: ClassifiedEntries = {
    initScripts: [],
    clusterFiles: [],
    notebookFiles: [],
    jobFiles: [],
    secretFiles: [],
    policyFiles: [],
    diagnostics: [],
  };
  const warnedFolders = new Set<string>();
  const ignoreFolder = (top: string): void => {
    if (warnedFolders.has(top)) return;
    warnedFolders.add(top);
    out.diagnostics.push(ignored(top, `folder ${top}/`, top));
  };
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const entry of sorted) {
    const segments = entry.path.split('/');
    if (segments.some((s) => s.startsWith('.'))) continue;
    const [top = '', ...rest] = segments;
    if (entry.type !== 'file') {
      if (entry.type === 'symlink') {
        out.diagnostics.push({
          severity: 'error',
          code: 'BUNDLE_SYMLINK',
          file: entry.path,
          summary: `${entry.path} is a symbolic link; a bundle holds regular files only (a link can point outside it), so replace the link with a copy of its target.`,
        });
      } else if (entry.type === 'special') {
        out.diagnostics.push({
          severity: 'error',
          code: 'BUNDLE_SPECIAL_FILE',
          file: entry.path,
          summary: `${entry.path} is not a regular file (a device, socket or pipe); remove it from the bundle.`,
        });
      } else if (rest.length === 0) {
        // The loader reports only the folders it did not descend into: unknown ones at the top level.
        ignoreFolder(top);
      }
      continue;
    }
    if (rest.length === 0) {
      if (entry.path === OPTIONS_FILE) out.optionsFile = entry;
      else if (!QUIET_TOP_LEVEL.test(entry.path)) out.diagnostics.push(ignored(entry.path, entry.path, top));
    } else if (top === 'init-scripts') out.initScripts.push(entry);
    else if (top === 'notebooks') out.notebookFiles.push(entry);
    else if (top === 'clusters' || top === 'jobs' || top === 'secrets' || top === 'policies') {
      if (rest.length === 1 && entry.path.endsWith('.json'))
        ({
          clusters: out.clusterFiles,
          jobs: out.jobFiles,
          secrets: out.secretFiles,
          policies: out.policyFiles,
        })[top].push(entry);
      else {
        const what = {
          clusters: 'cluster',
          jobs: 'job',
          secrets: 'secret scope',
          policies: 'cluster policy',
        }[top];
        out.diagnostics.push({
          severity: 'warning',
          code: 'BUNDLE_ENTRY_IGNORED',
          file: entry.path,
          summary: `${entry.path} is ignored: ${what} definitions are JSON files directly in ${top}/ (${top}/<name>.json); move or rename it if it should be deployed.`,
        });
      }
    } else ignoreFolder(top);
  }
  return out;
}

function ignored(file: string, what: string, top: string): Diagnostic {
  const near = BUNDLE_FOLDERS.find((f) => f === top.toLowerCase());
  const hint = near ? `; did you mean ${near}/? Folder names are case-sensitive` : '';
  return {
    severity: 'warning',
    code: 'BUNDLE_ENTRY_IGNORED',
    file,
    summary: `${what} is not part of the bundle layout (${LAYOUT}) and is ignored${hint}; move it into one of those folders if it should be deployed.`,
  };
}
