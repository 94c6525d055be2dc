// Pure: init scripts, notebooks and workspace files from the bundle's folders, with their targets.
// Every `.py` under notebooks/ is a notebook, as in the seed, even a plain module without the
// `# Databricks notebook source` header: the workspace imports it as a one-cell notebook. A Python
// file that must stay a file (for `import` or spark_python_task) belongs outside the bundle.
import {
  MAX_WORKSPACE_IMPORT_BYTES,
  type BundleFile,
  type BundleOptions,
  type Diagnostic,
  type InitScriptItem,
  type NotebookItem,
  type NotebookLanguage,
  type WorkspaceFileItem,
} from './Bundle';
import { findTargetCollisions } from './findTargetCollisions';
import { malformedJsonDiagnostic } from './malformedJsonDiagnostic';

export const SOURCE_NOTEBOOK_LANGUAGES: Readonly<Record<string, NotebookLanguage>> = {
  py: 'PYTHON',
  sql: 'SQL',
  scala: 'SCALA',
  r: 'R',
};

export interface WorkspaceItems {
  initScripts: InitScriptItem[];
  notebooks: NotebookItem[];
  files: WorkspaceFileItem[];
  diagnostics: Diagnostic[];
}

export function collectWorkspaceItems(
  initScriptFiles: readonly BundleFile[],
  notebookFiles: readonly BundleFile[],
  options: BundleOptions,
): WorkspaceItems {
  const out: WorkspaceItems = { initScripts: [], notebooks: [], files: [], diagnostics: [] };
  for (const file of initScriptFiles) {
    const relative = file.path.slice('init-scripts/'.length);
    out.initScripts.push({
      ...ref(file),
      key: `initScripts.${relative}`,
      target: `${options.initScriptRoot}/${relative}`,
    });
    if (options.initScriptTarget === 'workspace') out.diagnostics.push(...checkWorkspaceFile(file));
  }
  for (const file of notebookFiles) {
    const relative = file.path.slice('notebooks/'.length);
    const extension = extensionOf(relative);
    const language = SOURCE_NOTEBOOK_LANGUAGES[extension];
    const isNotebook = language !== undefined || extension === 'ipynb';
    if (!isNotebook) {
      const target = `${options.notebookRoot}/${relative}`;
      out.files.push({ ...ref(file), key: `files.${target}`, target });
      out.diagnostics.push(...checkWorkspaceFile(file));
      continue;
    }
    const target = `${options.notebookRoot}/${options.keepNotebookExtensions ? relative : relative.slice(0, -extension.length - 1)}`;
    const item: NotebookItem = {
      ...ref(file),
      key: `notebooks.${target}`,
      target,
      format: language ? 'SOURCE' : 'JUPYTER',
    };
    if (language) item.language = language;
    out.notebooks.push(item);
    out.diagnostics.push(...checkNotebook(file, language !== undefined));
  }
  const workspaceTargets = [...out.notebooks, ...out.files];
  if (options.initScriptTarget === 'workspace') workspaceTargets.push(...out.initScripts);
  out.diagnostics.push(...findTargetCollisions(workspaceTargets));
  for (const list of [out.initScripts, out.notebooks, out.files])
    list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

/** Lower-cased extension of the last segment, '' when there is none (`Makefile`). */
export function extensionOf(relative: string): string {
  const name = relative.slice(relative.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

function ref(file: BundleFile): { source: string; sha256: string; size: number } {
  return { source: file.path, sha256: file.sha256, size: file.size };
}

const IMPORT_REFERENCE = 'https://docs.databricks.com/api/workspace/workspace/import';

function checkNotebook(file: BundleFile, isSource: boolean): Diagnostic[] {
  const limit = MAX_WORKSPACE_IMPORT_BYTES;
  if (file.size > limit) {
    return [
      {
        severity: 'error',
        code: 'MAX_NOTEBOOK_SIZE_EXCEEDED',
        file: file.path,
        summary: `${file.path} is ${mebibytes(file.size)}, over the ${mebibytes(limit)} a ${isSource ? 'source' : 'IPYNB'} notebook may be: workspace/import takes 10 MB of base64 content (${IMPORT_REFERENCE}); split it or move large data out of the notebook.`,
      },
    ];
  }
  if (isSource || file.json === undefined) return [];
  if (!file.json.ok) return [malformedJsonDiagnostic(file.path, file.json)];
  const value = file.json.value;
  const cells =
    value !== null && typeof value === 'object' ? (value as Record<string, unknown>)['cells'] : undefined;
  if (Array.isArray(cells)) return [];
  return [
    {
      severity: 'error',
      code: 'JUPYTER_INVALID',
      file: file.path,
      path: '$.cells',
      summary: `${file.path} is not a Jupyter notebook in nbformat 4 (no \`cells\` array); save it again from Jupyter, or rename it if it is not a notebook.`,
    },
  ];
}

// A workspace file is written by workspace/import too, limited like a notebook (10 MB of base64); no documented call
// writes a larger one (see MAX_WORKSPACE_IMPORT_BYTES), so the bundle is refused before any deploy.
function checkWorkspaceFile(file: BundleFile): Diagnostic[] {
  if (file.size <= MAX_WORKSPACE_IMPORT_BYTES) return [];
  return [
    {
      severity: 'error',
      code: 'MAX_FILE_SIZE_EXCEEDED',
      file: file.path,
      summary: `${file.path} is ${mebibytes(file.size)}, over the ${mebibytes(MAX_WORKSPACE_IMPORT_BYTES)} a workspace file may be: workspace/import takes 10 MB of base64 content (${IMPORT_REFERENCE}), and no documented API writes a larger one; keep large data in a volume, DBFS or cloud storage.`,
    },
  ];
}

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 2)} MiB`;
}
