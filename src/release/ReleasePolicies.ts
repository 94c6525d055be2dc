// Pure: an environment's deploy policies as a release carries them (ReleaseInput.policies), fixed when it
// starts: change windows, the wait timer and the external checks by NAME. The checks' URLs carry keys, so
// they stay in the app settings and the callExternalCheck activity reads them there; the release's history
// holds names only.
import type { ChangeWindow } from '../config/parseChangeWindows';
import type { EnvironmentSettings } from '../config/Settings';
import { externalCheckNames } from '../config/readPolicies';

export interface ReleasePolicies {
  changeWindows?: ChangeWindow[];
  waitMinutes?: number;
  externalChecks?: { names: string[]; intervalInMinutes: number; timeoutInMinutes: number };
}

/** `{ policies }` for the environments that set any, or nothing (the input stays as it was without them). */
export function releasePoliciesOf(environments: readonly EnvironmentSettings[]): {
  policies?: Record<string, ReleasePolicies>;
} {
  const policies: Record<string, ReleasePolicies> = {};
  for (const env of environments) {
    const p = env.policies;
    if (!p) continue;
    const checks = p.externalChecks;
    const own: ReleasePolicies = {
      ...(p.changeWindows.length > 0 ? { changeWindows: p.changeWindows } : {}),
      ...(p.waitMinutes > 0 ? { waitMinutes: p.waitMinutes } : {}),
      ...(checks.urls.length > 0
        ? {
            externalChecks: {
              names: externalCheckNames(checks.urls),
              intervalInMinutes: checks.intervalInMinutes,
              timeoutInMinutes: checks.timeoutInMinutes,
            },
          }
        : {}),
    };
    if (Object.keys(own).length > 0) policies[env.name] = own;
  }
  return Object.keys(policies).length > 0 ? { policies } : {};
}
