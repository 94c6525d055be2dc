import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { describe, expect, it } from 'vitest';
import {
  AZURE_DATABRICKS_SCOPE,
  EntraDatabricksCredential,
} from '../../../src/azure/EntraDatabricksCredential';

/** A credential that issues numbered tokens with a chosen lifetime, counting requests per scope. */
function countingCredential(lifetimeInMs: number): TokenCredential & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  return {
    calls,
    getToken: async (scopes: string | string[]): Promise<AccessToken> => {
      const scope = Array.isArray(scopes) ? (scopes[0] ?? '') : scopes;
      calls[scope] = (calls[scope] ?? 0) + 1;
      return { token: `${scope}#${calls[scope]}`, expiresOnTimestamp: Date.now() + lifetimeInMs };
    },
  };
}

describe('EntraDatabricksCredential', () => {
  it('sends the Databricks token, the ARM management token and the workspace resource id', async () => {
    const inner = countingCredential(3_600_000);
    const headers = await new EntraDatabricksCredential(
      inner,
      '/subscriptions/s/resourceGroups/g/providers/Microsoft.Databricks/workspaces/w',
    ).getHeaders();
    expect(headers).toEqual({
      Authorization: `Bearer ${AZURE_DATABRICKS_SCOPE}#1`,
      'X-Databricks-Azure-SP-Management-Token': 'https://management.azure.com/.default#1',
      'X-Databricks-Azure-Workspace-Resource-Id':
        '/subscriptions/s/resourceGroups/g/providers/Microsoft.Databricks/workspaces/w',
    });
  });

  it('reuses a token while it is far from expiry, and shares one request between concurrent callers', async () => {
    const inner = countingCredential(3_600_000);
    const credential = new EntraDatabricksCredential(inner, 'id');
    await Promise.all(Array.from({ length: 20 }, () => credential.getHeaders()));
    await credential.getHeaders();
    expect(inner.calls[AZURE_DATABRICKS_SCOPE]).toBe(1);
  });

  it('renews a token that expires within the margin (Databricks refuses tokens with under 30 s left)', async () => {
    const inner = countingCredential(60_000);
    const credential = new EntraDatabricksCredential(inner, 'id');
    const first = await credential.getHeaders();
    const second = await credential.getHeaders();
    expect(first.Authorization).not.toBe(second.Authorization);
    expect(inner.calls[AZURE_DATABRICKS_SCOPE]).toBe(2);
  });

  it('never shows a token when serialized or inspected', () => {
    const credential = new EntraDatabricksCredential(countingCredential(1), 'id');
    expect(JSON.stringify(credential)).toBe('{}');
  });
});
