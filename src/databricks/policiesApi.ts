// I/O: the Cluster Policies API 2.0 calls of DatabricksWorkspaceClient, one HTTP call each, closed over the
// client's transport (https://docs.databricks.com/api/azure/workspace/clusterpolicies).
// `definition` travels as a JSON string both ways ("Policy definition document expressed in Databricks Cluster
// Policy Definition Language", a string in the reference). policies/clusters/list is not paged: one call
// answers every policy the caller can see. create has no idempotency token, so it is not repeated after an
// ambiguous failure; the caller looks the name up (policy names are unique in a workspace).
import type { DatabricksOperationOptions } from './DatabricksClientOptions';
import { optionalString, requireString, type DatabricksTransport } from './DatabricksTransport';

/** What bricklane sends for a policy: policies/clusters/create and edit (edit adds policy_id). */
export interface PolicySpec {
  name: string;
  /** The definition as a JSON string. */
  definition?: string;
  description?: string;
  max_clusters_per_user?: number;
  libraries?: unknown[];
}

/** A policy as policies/clusters/get and list report it (a superset of what bricklane sets). */
export interface PolicyInfo extends PolicySpec {
  policy_id: string;
  [field: string]: unknown;
}

export type PoliciesApi = ReturnType<typeof policiesApi>;

export function policiesApi(transport: DatabricksTransport) {
  return {
    /** Every cluster policy the caller can see (one unpaged call). */
    async listPolicies(options: DatabricksOperationOptions = {}): Promise<PolicyInfo[]> {
      const result = await transport.send(
        { method: 'GET', version: '2.0', endpoint: 'policies/clusters/list', idempotent: true },
        options,
      );
      return Array.isArray(result.policies) ? (result.policies as PolicyInfo[]) : [];
    },

    /** One policy; undefined when it does not exist (RESOURCE_DOES_NOT_EXIST). */
    async getPolicy(
      policyId: string,
      options: DatabricksOperationOptions = {},
    ): Promise<PolicyInfo | undefined> {
      const result = await transport.sendOrUndefined(
        {
          method: 'GET',
          version: '2.0',
          endpoint: 'policies/clusters/get',
          query: { policy_id: policyId },
          idempotent: true,
        },
        options,
      );
      return result
        ? ({ ...result, policy_id: optionalString(result.policy_id) ?? policyId } as PolicyInfo)
        : undefined;
    },

    /** Creates a policy and returns its id. */
    async createPolicy(spec: PolicySpec, options: DatabricksOperationOptions = {}): Promise<string> {
      const result = await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'policies/clusters/create',
          body: { ...spec },
          idempotent: false,
        },
        options,
      );
      return requireString(result, 'policy_id', 'policies/clusters/create');
    },

    /** Replaces a policy's fields; repeating it with the same body is harmless. */
    async editPolicy(
      policyId: string,
      spec: PolicySpec,
      options: DatabricksOperationOptions = {},
    ): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'policies/clusters/edit',
          body: { ...spec, policy_id: policyId },
          idempotent: true,
        },
        options,
      );
    },

    /** Deletes a policy; clusters that used it keep running and become unmanaged by it. */
    async deletePolicy(policyId: string, options: DatabricksOperationOptions = {}): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'policies/clusters/delete',
          body: { policy_id: policyId },
          idempotent: true,
        },
        options,
      );
    },
  };
}
