// Pure: operator configuration, read once from app settings. Environments live here, never in a bundle.
import type { Boundaries } from '../manifest/Boundaries';
import type { PolicySettings } from './readPolicies';
import type { NotifyFormat } from './readNotifyFormat';
import type { ApprovalPolicySettings, IdentityMap } from './readApprovalPolicy';

/** How bricklane authenticates to an environment's Databricks workspace. */
export type DatabricksAuthMode =
  /** The seed's way: a service principal whose tenant/client id/secret are secrets in the environment's vault. */
  | 'keyVaultServicePrincipal'
  /** The Function App's managed identity talks to Databricks directly; nothing is stored. */
  | 'managedIdentity'
  /** A fixed workspace URL and token (no Azure provisioning). For existing workspaces and local runs. */
  | 'token';

export interface EnvironmentSettings {
  /** Lower-case name used in keys, ledgers and approval events (`dev`, `qa`, `prod`). */
  name: string;
  databricksAuth: DatabricksAuthMode;
  /** Azure placement; unused in token mode. */
  subscriptionId: string;
  location: string;
  resourceGroup: string;
  workspaceName: string;
  /** Databricks SKU for a workspace bricklane creates. */
  workspaceSku: 'premium' | 'standard';
  keyVaultName: string;
  /** Approval before this environment deploys (default: required for every environment but the first). */
  approval: {
    required: boolean;
    /** Allowed approvers (App Service Authentication principal names, case-insensitive); empty = any signed-in user. */
    approvers: string[];
    timeoutInHours: number;
    /** Quorum, approver groups, self-approval (readApprovalPolicy.ts). */
    policy: ApprovalPolicySettings;
  };
  /**
   * Incoming-webhook URL (Teams or Slack) for this environment's notices. Secret: keep it in Key Vault and
   * set the app setting to a Key Vault reference (@Microsoft.KeyVault(SecretUri=...)).
   */
  notifyUrl?: string;
  /** BRICKLANE_<ENV>_NOTIFY_FORMAT: the notices' format, when the URL's host should not decide (readNotifyFormat.ts). */
  notifyFormat?: NotifyFormat;
  /** Where this environment's bundles may write and what their jobs may carry (readBoundaries.ts). */
  boundaries: Boundaries;
  /**
   * New folders of source notebooks are imported as one SOURCE directory import each rather than one import per
   * notebook (BRICKLANE_DIRECTORY_IMPORT=on|off, per environment BRICKLANE_<ENV>_DIRECTORY_IMPORT). Undefined:
   * on.
   */
  directoryImport?: boolean;
  /**
   * The bundle's checks (bricklane.json `checks`) after this environment is applied: whether they run
   * (BRICKLANE_<ENV>_CHECKS=run|skip, default run) and whether a failed check fails the stage and stops the
   * promotion (BRICKLANE_<ENV>_CHECKS_BLOCK=true|false, default true).
   */
  checks: { run: boolean; block: boolean };
  /**
   * What a failed apply or a failed blocking check does here (BRICKLANE_<ENV>_ROLLBACK=auto|manual, default
   * manual): `auto` redeploys the environment's last known good bundle (the ledger's lastKnownGood).
   */
  rollback: 'auto' | 'manual';
  /**
   * Change windows, wait timer and external checks before this environment applies (readPolicies.ts);
   * absent when the environment sets none.
   */
  policies?: PolicySettings;
  /**
   * BRICKLANE_<ENV>_TARGETS: the workspaces this environment deploys to, canary first (config/readTargets.ts),
   * each under its key (`prod.weu`); absent: the environment is one workspace (its own placement).
   */
  ring?: { targets: EnvironmentSettings[]; parallel: number };
  /** Token mode only: https://adb-....azuredatabricks.net */
  workspaceUrl?: string;
  /** Token mode only. Secret. */
  databricksToken?: string;
}

export interface AzureSettings {
  /** ARM endpoint (default https://management.azure.com). */
  armEndpoint: string;
  /** Entra ID authority (default https://login.microsoftonline.com). */
  authorityHost: string;
  /** True when the endpoints are not Azure's public cloud ones (sovereign clouds, emulators). */
  customEndpoints: boolean;
  /** The Function App's identity in Azure; the developer's Azure CLI login locally. */
  credential: 'managedIdentity' | 'cli' | 'default';
}

/** Where pushes come from and how their sources are fetched. Secrets are Key Vault references in Azure. */
export interface SourceSettings {
  /** The branch whose pushes release (default main). */
  branch: string;
  /** The bundle's folder inside the repository (default artifacts; '' = repository root). */
  bundlePath: string;
  github: {
    /** Secret of the GitHub webhook (X-Hub-Signature-256). Unset: the GitHub route answers 503. */
    webhookSecret?: string;
    /** Token for the tarball endpoint (private repositories). Secret. */
    token?: string;
    /** https://api.github.com, or a GitHub Enterprise Server API URL. */
    apiUrl: string;
    /** BRICKLANE_GITHUB_REPOSITORY: the owner/name of each repository whose pushes deploy (required with a secret). */
    repositories: string[];
  };
  azureRepos: {
    /** Basic-auth credentials the service hook sends. Unset: the Azure Repos route answers 503. */
    hookUsername?: string;
    hookPassword?: string;
    /** The only organization sources are fetched from (never the URL a payload names). */
    organizationUrl?: string;
    /** A PAT; without it the app identity's Entra token for Azure DevOps is used. Secret. */
    pat?: string;
  };
}

export interface Settings {
  /** Names the seed's resources and the default deployment folder `/Shared/<project>`. */
  project: string;
  sources: SourceSettings;
  /** Public base URL of the Function App, for approval and status links (https://<app>.azurewebsites.net). */
  publicUrl: string;
  /** HMAC keys for approval links: the first signs, any verifies (rotation). Secret. */
  approvalSigningKeys: string[];
  /** In deploy order. */
  environments: EnvironmentSettings[];
  azure: AzureSettings;
  /** Where the ledger lives: a connection string (Azurite, keys) or a blob endpoint used with the app identity. */
  ledger: { connectionString?: string; blobEndpoint?: string; container: string };
  /**
   * Seconds before the first look at a check's runs (BRICKLANE_CHECKS_POLL_SECONDS, 1 to 60, default 10); later
   * looks wait longer, up to 30 s.
   */
  checksPollInSeconds: number;
  /** Who a source's user (a GitHub login) is in Entra ID, for the self-approval check (BRICKLANE_IDENTITY_MAP). */
  identityMap: IdentityMap;
  /** Requests in flight per workspace. Peers use 10–20; Databricks reports a 20-concurrent limit (ucx#401). */
  maxInFlight: number;
  /** Days a finished release's durable history is kept (BRICKLANE_HISTORY_RETENTION_DAYS, default 30); 0: for ever. */
  historyRetentionDays: number;
}
