// Pure: a bundle's secret scope ACLs against the operator's PERMISSIONS allow-list (BRICKLANE_<ENV>_PERMISSIONS),
// the list that also bounds jobs' and clusters' access-control lists. An ACL entry names a principal without its
// kind (acls/put: "a user or group name"), so an entry is allowed when the allow-list grants that principal that
// permission (READ, WRITE or MANAGE) under any kind: `group:data-engineers=READ` allows
// { "principal": "data-engineers", "permission": "READ" }.
import type { Boundaries } from './Boundaries';
import type { Diagnostic, SecretItem } from './Bundle';
import { jsonPath } from './jsonPath';

export function checkSecretAcls(
  secrets: readonly SecretItem[],
  b: Boundaries,
  where: string,
  setting: string,
): Diagnostic[] {
  const allowed = b.permissions.map((p) => `${p.kind}:${p.principal}=${p.level}`);
  const out: Diagnostic[] = [];
  for (const item of secrets) {
    if (item.type !== 'scope') continue;
    item.acls.forEach((acl) => {
      const principal = acl.principal.trim().toLowerCase();
      if (b.permissions.some((p) => p.principal === principal && p.level === acl.permission)) return;
      out.push({
        severity: 'error',
        code: 'BOUNDARY_PERMISSION',
        file: item.source,
        path: jsonPath(['acls', aclIndexOf(item.acls, acl)]),
        summary: `grants ${acl.permission} on secret scope ${item.scope} to ${JSON.stringify(acl.principal)}, which is not allowed in ${where} (allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'}); remove the entry, or ask the operator to add "group:${acl.principal}=${acl.permission}" (or user:/servicePrincipal:) to ${setting}.`,
      });
    });
  }
  return out;
}

/** ACLs are kept sorted by principal; the diagnostic points at the entry's place in that order. */
function aclIndexOf(acls: readonly { principal: string }[], acl: { principal: string }): number {
  return acls.findIndex((a) => a.principal === acl.principal);
}
