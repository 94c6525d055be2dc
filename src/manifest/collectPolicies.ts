// Pure: cluster policy items from `policies/*.json`, keyed by the policy's `name`.
// A file is the policies/clusters/create body (https://docs.databricks.com/api/azure/workspace/clusterpolicies/create):
// `name` (unique in a workspace, 1 to 100 characters), `definition` (the policy definition JSON; the API takes it
// as a string, the bundle may give the object itself), `description`, `max_clusters_per_user`, `libraries`, and
// bricklane's `permissions` (who may use the policy, see collectPermissions.ts). Policy families
// (`policy_family_id`) are not deployed: a family's policy is created from the workspace's own family.
import { z } from 'zod';
import type { BundleFile, Diagnostic, PolicyItem } from './Bundle';
import { checkPolicyDefinition } from './checkClusterPolicy';
import { diagnosticsFromZod } from './diagnosticsFromZod';
import { jsonPath } from './jsonPath';
import { malformedJsonDiagnostic } from './malformedJsonDiagnostic';
import { sha256OfJson } from './sha256OfJson';

const REFERENCE = 'Cluster Policies API policies/clusters/create';

const policySchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1).max(100),
  definition: z.union([z.string(), z.record(z.string(), z.unknown())]),
  description: z.string().optional(),
  max_clusters_per_user: z.int().min(1).optional(),
  libraries: z.array(z.record(z.string(), z.unknown())).optional(),
  permissions: z.array(z.unknown()).optional(),
});

export interface CollectedPolicies {
  policies: PolicyItem[];
  /** Every policy name the bundle defines, also from files with errors, so that clusters can be checked. */
  names: Set<string>;
  diagnostics: Diagnostic[];
}

export function collectPolicies(files: readonly BundleFile[]): CollectedPolicies {
  const out: CollectedPolicies = { policies: [], names: new Set(), diagnostics: [] };
  const firstFile = new Map<string, string>();
  for (const file of files) {
    if (file.json === undefined) continue;
    if (!file.json.ok) {
      out.diagnostics.push(malformedJsonDiagnostic(file.path, file.json));
      continue;
    }
    const raw = file.json.value;
    const name =
      raw !== null &&
      typeof raw === 'object' &&
      !Array.isArray(raw) &&
      typeof (raw as { name?: unknown }).name === 'string'
        ? (raw as { name: string }).name
        : undefined;
    if (name !== undefined) {
      out.names.add(name);
      const earlier = firstFile.get(name);
      if (earlier !== undefined) {
        out.diagnostics.push({
          severity: 'error',
          code: 'POLICY_NAME_DUPLICATE',
          file: file.path,
          path: '$.name',
          summary: `Policy name ${JSON.stringify(name)} is used by both ${earlier} and ${file.path}; policy names are unique in a workspace and identify the policy across deploys, so rename or remove one.`,
        });
        continue;
      }
      firstFile.set(name, file.path);
    }
    const item = readPolicy(file.path, raw, out.diagnostics);
    if (item) out.policies.push(item);
  }
  out.policies.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

function readPolicy(file: string, raw: unknown, diagnostics: Diagnostic[]): PolicyItem | undefined {
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) {
    diagnostics.push(
      ...diagnosticsFromZod(parsed.error.issues, { file, code: 'POLICY_INVALID', reference: REFERENCE }),
    );
    return undefined;
  }
  const { name, definition: given, description, max_clusters_per_user, libraries } = parsed.data;
  let definition: Record<string, unknown> | undefined;
  if (typeof given === 'string') {
    try {
      const value: unknown = JSON.parse(given);
      if (value !== null && typeof value === 'object' && !Array.isArray(value))
        definition = value as Record<string, unknown>;
    } catch {
      definition = undefined;
    }
  } else definition = given;
  if (definition === undefined) {
    diagnostics.push({
      severity: 'error',
      code: 'POLICY_INVALID',
      file,
      path: '$.definition',
      summary: `\`definition\` must be a JSON object of rules (or a string holding one), such as {"autotermination_minutes": {"type": "range", "maxValue": 120}} (${REFERENCE}).`,
    });
    return undefined;
  }
  const problems = checkPolicyDefinition(definition);
  for (const { attribute, problem } of problems) {
    diagnostics.push({
      severity: 'error',
      code: 'POLICY_DEFINITION_INVALID',
      file,
      path: jsonPath(['definition', attribute]),
      summary: `Policy rule ${JSON.stringify(attribute)} ${problem} (Compute policy reference).`,
    });
  }
  if (problems.length > 0) return undefined;
  // The API stores the definition as a string; the plan compares it parsed, so formatting never shows as a change.
  const spec: Record<string, unknown> = {
    name,
    definition: JSON.stringify(definition),
    ...(description !== undefined ? { description } : {}),
    ...(max_clusters_per_user !== undefined ? { max_clusters_per_user } : {}),
    ...(libraries !== undefined ? { libraries } : {}),
  };
  return {
    key: `policies.${name}`,
    name,
    source: file,
    spec,
    definition,
    sha256: sha256OfJson({ ...spec, definition }),
  };
}
