// Test infrastructure: the Cluster Policies API 2.0 endpoints (policies/clusters/create, edit, delete, get, list;
// https://docs.databricks.com/api/azure/workspace/clusterpolicies). The rules are PolicyStore's.
import type { Route } from './Route';

export const policyRoutes: Record<string, Route> = {
  '2.0/policies/clusters/create': {
    method: 'POST',
    handle(workspace, request) {
      return { policy_id: workspace.policies.create(request.body) };
    },
  },
  '2.0/policies/clusters/edit': {
    method: 'POST',
    handle(workspace, request) {
      workspace.policies.edit(request.body);
      return {};
    },
  },
  '2.0/policies/clusters/delete': {
    method: 'POST',
    handle(workspace, request) {
      workspace.policies.delete(request.string('policy_id'));
      return {};
    },
  },
  '2.0/policies/clusters/get': {
    method: 'GET',
    handle(workspace, request) {
      return workspace.policies.get(request.string('policy_id'));
    },
  },
  '2.0/policies/clusters/list': {
    method: 'GET',
    handle(workspace) {
      const policies = workspace.policies.list();
      return { policies, total_count: policies.length };
    },
  },
};
