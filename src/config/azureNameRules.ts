// Pure: Azure's naming rules for what bricklane creates, checked before any call.
// Sources: learn.microsoft.com "Naming rules and restrictions for Azure resources" (Microsoft.Resources,
// Microsoft.KeyVault, Microsoft.Databricks).

export interface NameRule {
  resource: string;
  check: (name: string) => string | undefined;
}

export const RESOURCE_GROUP_RULE: NameRule = {
  resource: 'resource group',
  check: (n) =>
    n.length < 1 || n.length > 90
      ? `must be 1–90 characters (it has ${n.length})`
      : !/^[-\w.()]+$/u.test(n)
        ? 'may contain only letters, digits, underscores, hyphens, periods and parentheses'
        : n.endsWith('.')
          ? 'must not end with a period'
          : undefined,
};

export const KEY_VAULT_RULE: NameRule = {
  resource: 'Key Vault',
  check: (n) =>
    n.length < 3 || n.length > 24
      ? `must be 3–24 characters (it has ${n.length})`
      : !/^[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$/.test(n)
        ? 'must start with a letter, end with a letter or digit, and contain only letters, digits and hyphens'
        : n.includes('--')
          ? 'must not contain consecutive hyphens'
          : undefined,
};

export const DATABRICKS_WORKSPACE_RULE: NameRule = {
  resource: 'Databricks workspace',
  check: (n) =>
    n.length < 3 || n.length > 64
      ? `must be 3–64 characters (it has ${n.length})`
      : !/^[A-Za-z0-9_-]+$/.test(n)
        ? 'may contain only letters, digits, underscores and hyphens'
        : undefined,
};
