// Test infrastructure: Azure Databricks' sign-in rules for AAD tokens, installed into the Databricks emulator.
// A valid token (audience = the AzureDatabricks app, at least 30 s left) admits a principal that is a member
// of the workspace. A service principal or managed identity that is not yet a member gets in, and is added,
// by also sending its ARM token (X-Databricks-Azure-SP-Management-Token) and the workspace's ARM id while it
// holds Contributor or Owner on the workspace: the path bricklane uses to reach a workspace it just created.
import type { IncomingHttpHeaders } from 'node:http';
import { ArmResources } from './ArmResources';
import { ArmRoutes } from './ArmRoutes';
import { invalidTokenRefusal } from './DatabricksEmulator';
import type { DatabricksEmulator, TokenVerdict } from './DatabricksEmulator';
import type { RoleTable } from './RoleTable';
import type { TokenIssuer } from './TokenIssuer';

export interface AutoAdmission {
  principalId: string;
  workspaceName: string;
  /** Emulator clock, epoch ms. */
  at: number;
}

export interface SavedMembership {
  members: Record<string, string[]>;
  admissions: AutoAdmission[];
}

/** The AzureDatabricks first-party application: the audience of every AAD token for a workspace. */
const databricksAudience = '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d';
const minimumRemainingInSeconds = 30;
const managementTokenHeader = 'x-databricks-azure-sp-management-token';
const resourceIdHeader = 'x-databricks-azure-workspace-resource-id';

export class DatabricksAadValidator {
  static readonly audience = databricksAudience;

  private readonly members = new Map<string, Set<string>>();
  private admissions: AutoAdmission[] = [];

  constructor(
    private readonly databricks: DatabricksEmulator,
    private readonly issuer: TokenIssuer,
    private readonly roles: RoleTable,
    private readonly resources: ArmResources,
  ) {}

  install(): void {
    this.databricks.setTokenValidator((token, workspaceName, headers) =>
      this.validate(token, workspaceName, headers),
    );
  }

  addMember(workspaceName: string, principalId: string): void {
    const members = this.members.get(workspaceName) ?? new Set<string>();
    members.add(principalId);
    this.members.set(workspaceName, members);
  }

  removeMember(workspaceName: string, principalId: string): void {
    this.members.get(workspaceName)?.delete(principalId);
  }

  membersOf(workspaceName: string): string[] {
    return [...(this.members.get(workspaceName) ?? [])].sort();
  }

  /** Principals added through the management-token path, oldest first. */
  autoAdmissions(): AutoAdmission[] {
    return this.admissions.map((admission) => ({ ...admission }));
  }

  toJSON(): SavedMembership {
    return {
      members: Object.fromEntries([...this.members].map(([name, set]) => [name, [...set]])),
      admissions: this.autoAdmissions(),
    };
  }

  restore(saved: SavedMembership): void {
    this.members.clear();
    for (const [name, principals] of Object.entries(saved.members))
      this.members.set(name, new Set(principals));
    this.admissions = saved.admissions.map((admission) => ({ ...admission }));
  }

  validate(token: string, workspaceName: string, headers: IncomingHttpHeaders): TokenVerdict {
    // Personal access tokens are opaque; only AAD tokens are JWTs.
    if (token.split('.').length !== 3) return this.databricks.workspace(workspaceName).hasToken(token);
    const check = this.issuer.verify(token, minimumRemainingInSeconds);
    // An expired, forged or foreign-audience AAD token gets the same 403 "Invalid access token." as a bad
    // personal access token (databricks-sdk-go #873, #917); the emulator appends why, to help debugging.
    if (!check.ok) return invalidToken(check.reason);
    const { claims } = check;
    if (claims.aud !== databricksAudience) {
      return invalidToken(
        `Audience '${claims.aud}' is not the AzureDatabricks application ${databricksAudience}.`,
      );
    }
    if (this.members.get(workspaceName)?.has(claims.oid)) return true;
    const refusal = this.managementTokenRefusal(claims.oid, workspaceName, headers);
    if (refusal) return refusal;
    this.addMember(workspaceName, claims.oid);
    this.admissions.push({ principalId: claims.oid, workspaceName, at: this.databricks.clock.now() });
    return true;
  }

  /** Why the management-token path does not admit the principal, or undefined when it does. */
  private managementTokenRefusal(
    principalId: string,
    workspaceName: string,
    headers: IncomingHttpHeaders,
  ): TokenVerdict | undefined {
    const notMember = `Principal ${principalId} is not a member of workspace ${workspaceName}`;
    const managementToken = single(headers[managementTokenHeader]);
    const resourceId = single(headers[resourceIdHeader]);
    if (!managementToken || !resourceId) {
      return refuse(
        403,
        'PERMISSION_DENIED',
        `${notMember}; a non-member service principal must send X-Databricks-Azure-SP-Management-Token and ` +
          'X-Databricks-Azure-Workspace-Resource-Id.',
      );
    }
    const workspace = this.resources.workspaceByDatabricksName(workspaceName);
    const workspaceId = workspace ? ArmResources.workspaceId(workspace) : undefined;
    if (!workspaceId || workspaceId.toLowerCase() !== resourceId.toLowerCase()) {
      return refuse(
        403,
        'PERMISSION_DENIED',
        `${notMember}; X-Databricks-Azure-Workspace-Resource-Id '${resourceId}' is not this workspace's ARM id` +
          `${workspaceId ? ` '${workspaceId}'` : ' (the workspace was not created through ARM)'}.`,
      );
    }
    const management = this.issuer.verify(managementToken);
    if (!management.ok || !ArmRoutes.isArmAudience(management.claims.aud)) {
      return refuse(
        403,
        'PERMISSION_DENIED',
        `${notMember}; the management token is invalid: ${management.ok ? `audience ${management.claims.aud}` : management.reason}`,
      );
    }
    if (management.claims.oid !== principalId) {
      return refuse(
        403,
        'PERMISSION_DENIED',
        `${notMember}; the management token belongs to ${management.claims.oid}, not ${principalId}.`,
      );
    }
    if (!this.roles.hasRole(principalId, ['Contributor', 'Owner'], workspaceId)) {
      return refuse(
        403,
        'PERMISSION_DENIED',
        `${notMember} and has neither Contributor nor Owner on ${workspaceId}.`,
      );
    }
    return undefined;
  }
}

function refuse(status: 401 | 403, errorCode: string, message: string): TokenVerdict {
  return { status, errorCode, message };
}

function invalidToken(reason: string): TokenVerdict {
  return { ...invalidTokenRefusal, message: `${invalidTokenRefusal.message} ${reason}` };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
