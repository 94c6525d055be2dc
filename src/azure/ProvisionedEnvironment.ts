// Pure: what provisioning found or created for one environment.

export interface ProvisionedEnvironment {
  resourceGroup: string;
  /** undefined when the workspace does not exist and provisioning was not allowed to create it (plan). */
  workspace?: { id: string; url: string };
  keyVault?: { name: string; uri: string };
  /** What this run created: `resourceGroup`, `workspace`, `keyVault`. Empty on a second run. */
  created: string[];
}
