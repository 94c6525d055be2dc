// Pure: the Bicep files of infra/ (path relative to infra/ -> file) -> every problem found, as text.
// auditRoleGrants compares the grants with REQUIRED_ROLES; auditStructure checks what a Bicep build would
// reject, as far as text allows (there is no Bicep CLI here).
import { posix } from 'node:path';
import type { CustomRequiredRole, RequiredRole, RoleScope } from '../../../src/azure/requiredRoles';
import {
  arrayObjects,
  guidsIn,
  identifiers,
  keys,
  property,
  stringLiterals,
  type BicepBlock,
  type BicepFile,
  type BicepResource,
} from './BicepFile';

export type InfraFiles = ReadonlyMap<string, BicepFile>;

type GrantSite =
  | { file: string; target: 'subscription' | 'resourceGroup' }
  | { file: string; resource: string; resourceType: string };

/** Where infra grants the roles of each scope: the file, and the target scope or resource the grant is on. */
export const GRANT_SITES: Readonly<Record<RoleScope, GrantSite>> = {
  environmentSubscription: { file: 'environment/environmentSubscription.bicep', target: 'subscription' },
  environmentResourceGroup: {
    file: 'environment/environmentResourceGroupRoles.bicep',
    target: 'resourceGroup',
  },
  appStorage: {
    file: 'app/appRoles.bicep',
    resource: 'storageAccount',
    resourceType: 'Microsoft.Storage/storageAccounts',
  },
  appInsights: {
    file: 'app/appRoles.bicep',
    resource: 'applicationInsights',
    resourceType: 'Microsoft.Insights/components',
  },
  appKeyVault: {
    file: 'app/appRoles.bicep',
    resource: 'keyVault',
    resourceType: 'Microsoft.KeyVault/vaults',
  },
};

const ROLE_ASSIGNMENTS = 'Microsoft.Authorization/roleAssignments';
const ROLE_DEFINITIONS = 'Microsoft.Authorization/roleDefinitions';

export function auditRoleGrants(files: InfraFiles, roles: readonly RequiredRole[]): string[] {
  const problems: string[] = [];
  const granted = new Set<RequiredRole>();
  const usedDefinitions = new Set<BicepResource>();

  for (const [path, file] of files) {
    for (const assignment of file.resources.filter((r) => r.type === ROLE_ASSIGNMENTS && !r.existing)) {
      const where = `${path} ${assignment.symbol}`;
      const expression = property(assignment.body, ['properties', 'roleDefinitionId']);
      if (!expression) {
        problems.push(`${where}: no properties.roleDefinitionId`);
        continue;
      }
      const { builtIn, custom } = resolveRoleDefinition(file, expression, 0);
      if (builtIn.size + custom.size !== 1) {
        problems.push(
          `${where}: cannot tell which one role it grants from "${expression.code}" ` +
            '(write the role id as a var or literal in this file, or use a roleDefinitions resource of this file)',
        );
        continue;
      }
      const [builtInId] = builtIn;
      const [definition] = custom;
      if (definition) usedDefinitions.add(definition);

      if (
        property(assignment.body, ['properties', 'principalId'])?.code !== 'principalId' ||
        !hasParam(file, 'principalId')
      ) {
        problems.push(
          `${where}: principalId must be the principalId parameter (the app's system-assigned identity)`,
        );
      }
      if (property(assignment.body, ['properties', 'principalType'])?.code !== "'ServicePrincipal'") {
        problems.push(`${where}: principalType must be 'ServicePrincipal'`);
      }

      // One role can be declared for several scopes: the grant is the declaration whose site it is on.
      const candidates = builtInId
        ? roles.filter((r) => r.kind === 'builtIn' && r.roleDefinitionId.toLowerCase() === builtInId)
        : roles.filter(
            (r) => r.kind === 'custom' && definition !== undefined && isDefinitionOf(definition, r),
          );
      const role =
        candidates.find((r) => !siteProblem(path, file, assignment, GRANT_SITES[r.scope])) ?? candidates[0];
      if (!role) {
        const what = builtInId ?? `the custom role ${definition?.symbol ?? '?'}`;
        problems.push(
          `${where}: grants ${what}, which REQUIRED_ROLES (src/azure/requiredRoles.ts) does not declare`,
        );
        continue;
      }
      const misplaced = siteProblem(path, file, assignment, GRANT_SITES[role.scope]);
      if (misplaced) {
        problems.push(`${where}: grants ${role.name}, declared for scope ${role.scope}, ${misplaced}`);
        continue;
      }
      if (role.kind === 'custom' && definition)
        problems.push(...auditCustomRole(`${path} ${definition.symbol}`, definition, role));
      granted.add(role);
    }
  }

  for (const [path, file] of files) {
    for (const definition of file.resources.filter((r) => r.type === ROLE_DEFINITIONS && !r.existing)) {
      if (!usedDefinitions.has(definition)) {
        problems.push(
          `${path} ${definition.symbol}: a role definition that no role assignment of REQUIRED_ROLES uses`,
        );
      }
    }
  }
  for (const role of roles) {
    if (!granted.has(role)) {
      problems.push(
        `${role.name} (scope ${role.scope}) is declared in REQUIRED_ROLES but infra/${GRANT_SITES[role.scope].file} does not grant it`,
      );
    }
  }
  return problems;
}

/** The built-in role GUIDs and custom role definitions an expression refers to, through this file's vars. */
function resolveRoleDefinition(
  file: BicepFile,
  expression: BicepBlock,
  depth: number,
): { builtIn: Set<string>; custom: Set<BicepResource> } {
  const builtIn = new Set(guidsIn(expression.code));
  const custom = new Set<BicepResource>();
  if (depth > 8) return { builtIn, custom };
  for (const name of identifiers(expression)) {
    const value = file.vars.get(name);
    if (value) {
      const inner = resolveRoleDefinition(file, value, depth + 1);
      inner.builtIn.forEach((id) => builtIn.add(id));
      inner.custom.forEach((d) => custom.add(d));
    }
    const resource = file.resource(name);
    if (resource?.type !== ROLE_DEFINITIONS) continue;
    if (resource.existing)
      guidsIn(property(resource.body, ['name'])?.code ?? '').forEach((id) => builtIn.add(id));
    else custom.add(resource);
  }
  return { builtIn, custom };
}

function isDefinitionOf(definition: BicepResource, role: CustomRequiredRole): boolean {
  return stringLiterals(property(definition.body, ['name'])?.code ?? '').includes(role.roleDefinitionSeed);
}

function siteProblem(
  path: string,
  file: BicepFile,
  assignment: BicepResource,
  site: GrantSite,
): string | undefined {
  if (path !== site.file) return `but is granted in infra/${path} instead of infra/${site.file}`;
  const scope = property(assignment.body, ['scope'])?.code;
  if ('target' in site) {
    if (scope !== undefined) return `but is scoped to ${scope} instead of the file's target scope`;
    if (file.targetScope !== site.target)
      return `but the file's targetScope is ${file.targetScope}, not ${site.target}`;
    return undefined;
  }
  if (scope !== site.resource)
    return `but is scoped to ${scope ?? 'the target scope'} instead of ${site.resource}`;
  if (file.resource(site.resource)?.type !== site.resourceType)
    return `but ${site.resource} is not a ${site.resourceType}`;
  return undefined;
}

/** The definition must be exactly the declared custom role, assignable only in its own subscription. */
function auditCustomRole(where: string, definition: BicepResource, role: CustomRequiredRole): string[] {
  const problems: string[] = [];
  const expect = (path: readonly string[], expected: string, why: string): void => {
    const actual = property(definition.body, path)?.code.replace(/\s+/g, ' ');
    if (actual !== expected)
      problems.push(`${where}: ${path.join('.')} is ${actual ?? 'missing'}, expected ${expected} (${why})`);
  };
  expect(['name'], `guid(subscription().id, '${role.roleDefinitionSeed}')`, 'a stable id per subscription');
  expect(
    ['properties', 'roleName'],
    `'${role.name} (\${subscription().subscriptionId})'`,
    'custom role names are unique per tenant; roleAssignmentCommand builds the same name',
  );
  expect(['properties', 'type'], "'CustomRole'", 'a custom role');
  expect(
    ['properties', 'assignableScopes'],
    '[ subscription().id ]',
    'assignable in its own subscription only',
  );

  const permissions = property(definition.body, ['properties', 'permissions']);
  const entries = permissions ? arrayObjects(permissions) : [];
  if (entries.length !== 1) {
    problems.push(`${where}: properties.permissions must hold exactly one entry, found ${entries.length}`);
    return problems;
  }
  const [entry] = entries as [BicepBlock];
  const actions = stringLiterals(property(entry, ['actions'])?.code ?? '').sort();
  const declared = [...role.actions].sort();
  if (actions.join() !== declared.join()) {
    problems.push(
      `${where}: actions are [${actions.join(', ')}], REQUIRED_ROLES declares [${declared.join(', ')}]`,
    );
  }
  for (const key of keys(entry).filter((k) => k !== 'actions')) {
    if (property(entry, [key])?.code.replace(/\s+/g, '') !== '[]')
      problems.push(`${where}: ${key} must be empty`);
  }
  return problems;
}

function hasParam(file: BicepFile, name: string): boolean {
  return file.params.some((p) => p.name === name);
}

/**
 * Syntax as far as the scanner sees it, module paths, module params against the target's params,
 * `<module>.outputs.<name>` against the target's outputs, `parent:` symbols, API version shapes, and which
 * files main.bicep reaches.
 */
export function auditStructure(
  files: InfraFiles,
  entry = 'main.bicep',
): { problems: string[]; reachable: Set<string> } {
  const problems: string[] = [];
  for (const [path, file] of files) {
    problems.push(...file.problems);
    for (const resource of file.resources) {
      if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(resource.apiVersion)) {
        problems.push(
          `${path} ${resource.symbol}: API version "${resource.apiVersion}" is not yyyy-mm-dd[-preview]`,
        );
      }
      const parent = property(resource.body, ['parent'])?.code;
      if (parent !== undefined && !file.resource(parent))
        problems.push(`${path} ${resource.symbol}: parent ${parent} is not declared`);
    }
    for (const module of file.modules) {
      const where = `${path} module ${module.symbol}`;
      const targetPath = posix.normalize(posix.join(posix.dirname(path), module.path));
      const target = files.get(targetPath);
      if (!target) {
        problems.push(`${where}: ${module.path} does not exist (infra/${targetPath})`);
        continue;
      }
      const params = property(module.body, ['params']);
      const given = params ? keys(params) : [];
      for (const name of given.filter((n) => !hasParam(target, n)))
        problems.push(`${where}: ${targetPath} has no param ${name}`);
      for (const p of target.params.filter((p) => !p.hasDefault && !given.includes(p.name))) {
        problems.push(`${where}: required param ${p.name} of ${targetPath} is not given`);
      }
      for (const m of file.code.matchAll(
        new RegExp(`\\b${module.symbol}(?:\\[[^\\]]*\\])?\\.outputs\\.(\\w+)`, 'g'),
      )) {
        if (!target.outputs.includes(m[1] ?? ''))
          problems.push(`${path}: ${m[0]}: ${targetPath} has no such output`);
      }
    }
  }

  const reachable = new Set<string>();
  const visit = (path: string): void => {
    const file = files.get(path);
    if (!file || reachable.has(path)) return;
    reachable.add(path);
    for (const module of file.modules) visit(posix.normalize(posix.join(posix.dirname(path), module.path)));
  };
  visit(entry);
  if (!reachable.has(entry)) problems.push(`${entry} does not exist`);
  return { problems, reachable };
}
