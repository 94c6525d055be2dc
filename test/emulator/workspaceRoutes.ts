// Test infrastructure: the Workspace API 2.0 endpoints (api-contract.md "Workspace").
import { ApiError } from './ApiError';
import type { JsonObject } from './JsonValue';
import type { Route } from './Route';
import { exportFormats } from './notebookFormats';
import type { ImportFormat, NotebookLanguage } from './WorkspaceTree';

const formats: readonly ImportFormat[] = ['SOURCE', 'JUPYTER', 'AUTO', 'DBC'];
const languages: readonly NotebookLanguage[] = ['PYTHON', 'SQL', 'SCALA', 'R'];

export const workspaceRoutes: Record<string, Route> = {
  '2.0/workspace/mkdirs': {
    method: 'POST',
    handle(workspace, request) {
      workspace.tree.mkdirs(request.string('path'));
      return {};
    },
  },
  '2.0/workspace/import': {
    method: 'POST',
    handle(workspace, request) {
      const format = request.optionalString('format') ?? 'SOURCE';
      if (!isOneOf(formats, format)) {
        throw ApiError.invalidParameter(
          `Unsupported import format ${format} (emulator knows ${formats.join(', ')})`,
        );
      }
      const language = request.optionalString('language');
      if (language !== undefined && !isOneOf(languages, language)) {
        throw ApiError.invalidParameter(`Invalid language ${language}`);
      }
      workspace.tree.import({
        path: request.string('path'),
        format,
        ...(language !== undefined ? { language } : {}),
        content: request.base64('content'),
        base64Length: request.optionalString('content')?.length ?? 0,
        overwrite: request.boolean('overwrite', false),
      });
      return {};
    },
  },
  '2.0/workspace/get-status': {
    method: 'GET',
    handle(workspace, request) {
      return { ...workspace.tree.getStatus(request.string('path')) };
    },
  },
  '2.0/workspace/list': {
    method: 'GET',
    handle(workspace, request) {
      const objects = workspace.tree.list(
        request.string('path'),
        request.optionalInteger('notebooks_modified_after'),
      );
      const result: JsonObject = {};
      // The real API omits the key for an empty folder.
      if (objects.length > 0) result['objects'] = objects.map((object) => ({ ...object }));
      return result;
    },
  },
  '2.0/workspace/delete': {
    method: 'POST',
    handle(workspace, request) {
      workspace.tree.delete(request.string('path'), request.boolean('recursive', false));
      return {};
    },
  },
  '2.0/workspace/export': {
    method: 'GET',
    handle(workspace, request) {
      const format = request.optionalString('format') ?? 'SOURCE';
      if (!isOneOf(exportFormats, format))
        throw ApiError.invalidParameter(`Unsupported export format ${format}`);
      const { content, fileType } = workspace.tree.export(request.string('path'), format);
      return { content: content.toString('base64'), file_type: fileType };
    },
  },
};

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
