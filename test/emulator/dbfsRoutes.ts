// Test infrastructure: the DBFS API 2.0 endpoints (api-contract.md "DBFS").
import type { Route } from './Route';

export const dbfsRoutes: Record<string, Route> = {
  '2.0/dbfs/mkdirs': {
    method: 'POST',
    handle(workspace, request) {
      workspace.dbfs.mkdirs(request.string('path'));
      return {};
    },
  },
  '2.0/dbfs/put': {
    method: 'POST',
    handle(workspace, request) {
      workspace.dbfs.put(
        request.string('path'),
        request.base64('contents'),
        request.boolean('overwrite', false),
      );
      return {};
    },
  },
  '2.0/dbfs/create': {
    method: 'POST',
    handle(workspace, request) {
      return { handle: workspace.dbfs.create(request.string('path'), request.boolean('overwrite', false)) };
    },
  },
  '2.0/dbfs/add-block': {
    method: 'POST',
    handle(workspace, request) {
      workspace.dbfs.addBlock(request.integer('handle'), request.base64('data'));
      return {};
    },
  },
  '2.0/dbfs/close': {
    method: 'POST',
    handle(workspace, request) {
      workspace.dbfs.close(request.integer('handle'));
      return {};
    },
  },
  '2.0/dbfs/get-status': {
    method: 'GET',
    handle(workspace, request) {
      return { ...workspace.dbfs.getStatus(request.string('path')) };
    },
  },
  '2.0/dbfs/delete': {
    method: 'POST',
    handle(workspace, request) {
      workspace.dbfs.delete(request.string('path'), request.boolean('recursive', false));
      return {};
    },
  },
};
