// Test infrastructure: a notebook in the export formats of the Workspace API, and the zip archives that carry
// folders (SOURCE zip, DBC). Formats per https://docs.databricks.com/api/workspace/workspace/export: SOURCE,
// HTML, JUPYTER, DBC, R_MARKDOWN, AUTO; "Directory exports will not include non-notebook entries" for DBC, and
// folders export only as DBC or SOURCE (a zip). The layout inside a DBC (one JSON document per notebook,
// `<name>.<language>`) is the emulator's own: clients treat the archive as opaque bytes.
import { inflateRawSync } from 'node:zlib';
import { ApiError } from './ApiError';
import { buildZip } from './buildZip';
import type { NotebookLanguage } from './WorkspaceTree';

export type ExportFormat = 'SOURCE' | 'HTML' | 'JUPYTER' | 'DBC' | 'R_MARKDOWN' | 'AUTO';
export const exportFormats: readonly ExportFormat[] = [
  'SOURCE',
  'HTML',
  'JUPYTER',
  'DBC',
  'R_MARKDOWN',
  'AUTO',
];

export interface ArchiveEntry {
  /** Relative POSIX path inside the archive. */
  path: string;
  data: Buffer;
}

/** Source extension and first line of an exported source notebook, per language. */
export const sourceNotebooks: Record<
  NotebookLanguage,
  { extension: string; header: string; separator: string }
> = {
  PYTHON: { extension: '.py', header: '# Databricks notebook source', separator: '# COMMAND ----------' },
  SQL: { extension: '.sql', header: '-- Databricks notebook source', separator: '-- COMMAND ----------' },
  SCALA: { extension: '.scala', header: '// Databricks notebook source', separator: '// COMMAND ----------' },
  R: { extension: '.r', header: '# Databricks notebook source', separator: '# COMMAND ----------' },
};

const dbcExtensions: Record<NotebookLanguage, string> = {
  PYTHON: '.python',
  SQL: '.sql',
  SCALA: '.scala',
  R: '.r',
};

/** The cells of a stored notebook: a JUPYTER import keeps its JSON, a SOURCE import its text. */
export function cellsOf(bytes: Buffer, language: NotebookLanguage): string[] {
  const text = bytes.toString('utf8');
  if (language === 'PYTHON' && text.trimStart().startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { cells?: { source?: string | string[] }[] };
      if (Array.isArray(parsed.cells)) {
        return parsed.cells.map((cell) =>
          Array.isArray(cell.source) ? cell.source.join('') : (cell.source ?? ''),
        );
      }
    } catch {
      // not JSON: a source notebook that starts with a brace
    }
  }
  const { header, separator } = sourceNotebooks[language];
  const body = text.startsWith(header) ? text.slice(header.length) : text;
  return body
    .split(`\n${separator}\n`)
    .map((cell) => cell.replace(/^\n+|\n+$/g, ''))
    .filter((cell, index, all) => cell !== '' || all.length === 1);
}

/** Export of one notebook in one format, with the `file_type` the reference returns beside `content`. */
export function exportNotebook(
  name: string,
  language: NotebookLanguage,
  bytes: Buffer,
  format: ExportFormat,
): { content: Buffer; fileType: string } {
  const cells = cellsOf(bytes, language);
  const { extension, header, separator } = sourceNotebooks[language];
  switch (format) {
    case 'SOURCE':
    case 'AUTO':
      if (isJupyterJson(bytes, language)) {
        return { content: Buffer.from(sourceText(header, separator, cells)), fileType: extension.slice(1) };
      }
      return { content: Buffer.from(bytes), fileType: extension.slice(1) };
    case 'HTML': {
      const escaped = cells.map((cell) => `<pre>${escapeHtml(cell)}</pre>`).join('\n');
      return {
        content: Buffer.from(
          `<!DOCTYPE html>\n<html><head><title>${escapeHtml(name)}</title></head><body>\n${escaped}\n</body></html>\n`,
        ),
        fileType: 'html',
      };
    }
    case 'JUPYTER':
      if (isJupyterJson(bytes, language)) return { content: Buffer.from(bytes), fileType: 'ipynb' };
      return {
        content: Buffer.from(
          JSON.stringify({
            cells: cells.map((cell) => ({
              cell_type: 'code',
              metadata: {},
              outputs: [],
              execution_count: null,
              source: cell,
            })),
            metadata: { language_info: { name: language.toLowerCase() } },
            nbformat: 4,
            nbformat_minor: 0,
          }),
        ),
        fileType: 'ipynb',
      };
    case 'R_MARKDOWN':
      if (language !== 'R') {
        throw ApiError.invalidParameter(`R_MARKDOWN export is only for R notebooks; ${name} is ${language}`);
      }
      return {
        content: Buffer.from(cells.map((cell) => '```{r}\n' + cell + '\n```').join('\n\n') + '\n'),
        fileType: 'Rmd',
      };
    case 'DBC':
      return { content: buildArchive([dbcEntry(name, language, cells)]), fileType: 'dbc' };
  }
}

/** One notebook as a DBC archive entry. */
export function dbcEntry(path: string, language: NotebookLanguage, cells: string[]): ArchiveEntry {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const document = {
    version: 'NotebookV1',
    name,
    language: language.toLowerCase(),
    commands: cells.map((command) => ({ command })),
  };
  return { path: path + dbcExtensions[language], data: Buffer.from(JSON.stringify(document)) };
}

/** A DBC entry back to a notebook: its path without the language extension, its language and its source. */
export function notebookOfDbcEntry(entry: ArchiveEntry): {
  path: string;
  language: NotebookLanguage;
  source: Buffer;
} {
  const language = (Object.keys(dbcExtensions) as NotebookLanguage[]).find((candidate) =>
    entry.path.toLowerCase().endsWith(dbcExtensions[candidate]),
  );
  let document: { commands?: { command?: unknown }[] } | undefined;
  try {
    document = JSON.parse(entry.data.toString('utf8')) as typeof document;
  } catch {
    document = undefined;
  }
  if (!language || !document || !Array.isArray(document.commands)) {
    throw ApiError.invalidParameter(`The DBC archive holds ${entry.path}, which is not a notebook`);
  }
  const cells = document.commands.map((command) =>
    typeof command.command === 'string' ? command.command : '',
  );
  const { header, separator } = sourceNotebooks[language];
  return {
    path: entry.path.slice(0, -dbcExtensions[language].length),
    language,
    source: Buffer.from(sourceText(header, separator, cells)),
  };
}

function sourceText(header: string, separator: string, cells: string[]): string {
  return `${header}\n${cells.join(`\n\n${separator}\n\n`)}\n`;
}

function isJupyterJson(bytes: Buffer, language: NotebookLanguage): boolean {
  if (language !== 'PYTHON' || !bytes.toString('utf8').trimStart().startsWith('{')) return false;
  try {
    return Array.isArray((JSON.parse(bytes.toString('utf8')) as { cells?: unknown }).cells);
  } catch {
    return false;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/** A zip of the entries (deflated), as a SOURCE folder export or a DBC archive. */
export function buildArchive(entries: readonly ArchiveEntry[]): Buffer {
  return buildZip(entries);
}

/**
 * The file entries of a zip (folders skipped), read from its central directory (APPNOTE.TXT 4.3.12); stored
 * and deflated entries only. A malformed archive is the caller's bad parameter.
 */
export function readArchive(zip: Buffer): ArchiveEntry[] {
  const bad = (why: string): ApiError =>
    ApiError.invalidParameter(`The content is not a valid zip archive (${why})`);
  const endAt = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0 || endAt + 22 > zip.length) throw bad('no end of central directory');
  const count = zip.readUInt16LE(endAt + 10);
  let at = zip.readUInt32LE(endAt + 16);
  const entries: ArchiveEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) throw bad('broken central directory');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localAt = zip.readUInt32LE(at + 42);
    const path = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (path.endsWith('/')) continue;
    if (localAt + 30 > zip.length || zip.readUInt32LE(localAt) !== 0x04034b50)
      throw bad(`no local header for ${path}`);
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    const raw = zip.subarray(dataAt, dataAt + compressedSize);
    if (method !== 0 && method !== 8) throw bad(`${path} uses compression method ${method}`);
    try {
      entries.push({ path, data: method === 8 ? inflateRawSync(raw) : Buffer.from(raw) });
    } catch {
      throw bad(`${path} does not inflate`);
    }
  }
  return entries;
}
