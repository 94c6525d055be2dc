// Pure: workspace objects as workspace/get-status and workspace/list report them.

export type WorkspaceObjectType = 'NOTEBOOK' | 'DIRECTORY' | 'FILE' | 'LIBRARY' | 'REPO' | 'DASHBOARD';
export type NotebookLanguage = 'PYTHON' | 'SQL' | 'SCALA' | 'R';
/** workspace/import formats bricklane uses: SOURCE notebooks, JUPYTER (.ipynb) notebooks, AUTO for files. */
export type WorkspaceImportFormat = 'SOURCE' | 'JUPYTER' | 'AUTO';
export type WorkspaceExportFormat = 'SOURCE' | 'JUPYTER' | 'AUTO' | 'HTML' | 'DBC' | 'R_MARKDOWN';

export interface WorkspaceObjectInfo {
  object_type: WorkspaceObjectType | (string & {});
  path: string;
  object_id?: number;
  /** Notebooks only. */
  language?: NotebookLanguage;
  modified_at?: number;
  created_at?: number;
  /** Files only. */
  size?: number;
  [field: string]: unknown;
}
