// Pure: an environment's deploy policies from its app settings (BRICKLANE_<ENV>_...): change windows, the wait
// timer (soak time after the previous environment) and external checks, each problem said with its fix.
// - CHANGE_WINDOW: see parseChangeWindows.ts.
// - WAIT_MINUTES: 0 to 43,200 (30 days), GitHub's bounds for an environment's wait timer
//   (docs.github.com, "Deployments and environments", Wait timer).
// - EXTERNAL_CHECKS: https URLs separated by commas or spaces (a comma inside a URL is written %2C). A URL may
//   carry a key in its query or user:password before its host, so the setting is a secret: in Azure, a Key
//   Vault reference (@Microsoft.KeyVault(SecretUri=...)) whose secret holds the list. Only a check's name (its
//   host and path) is ever shown, logged or kept in the release's history.
// - EXTERNAL_CHECKS_INTERVAL_MINUTES (default 5) and EXTERNAL_CHECKS_TIMEOUT_MINUTES (default 60): a check
//   that answers "fail" is asked again at this interval until it passes or the timeout ends the stage, as Azure
//   DevOps re-evaluates its checks (learn.microsoft.com/azure/devops/pipelines/process/approvals, "Checks are
//   reevaluated based on the retry interval ... If not all checks succeed until the timeout ... the stage
//   isn't executed").
import { parseChangeWindows, type ChangeWindow } from './parseChangeWindows';

export interface PolicySettings {
  /** Empty: the environment deploys at any time. */
  changeWindows: ChangeWindow[];
  /** Minutes after the previous environment succeeded before this one may apply; 0: none. */
  waitMinutes: number;
  externalChecks: {
    /** Secret: the URLs with their keys. */
    urls: string[];
    intervalInMinutes: number;
    timeoutInMinutes: number;
  };
}

export const MAX_WAIT_MINUTES = 43_200;

/** The environment's policies, or undefined when it sets none (its settings stay as they were). */
export function readPolicies(
  values: Readonly<Record<string, string | undefined>>,
  environment: string,
  problems: string[],
): PolicySettings | undefined {
  const prefix = `BRICKLANE_${environment.toUpperCase()}_`;
  const setting = (key: string): string | undefined => values[`${prefix}${key}`]?.trim() || undefined;
  const windowText = setting('CHANGE_WINDOW');
  const waitText = setting('WAIT_MINUTES');
  const checksText = setting('EXTERNAL_CHECKS');
  if (windowText === undefined && waitText === undefined && checksText === undefined) return undefined;
  const parsed = parseChangeWindows(windowText ?? '', `${prefix}CHANGE_WINDOW`);
  if (windowText !== undefined) problems.push(...parsed.problems);
  const urls = (checksText ?? '').split(/[\s,]+/).filter(Boolean);
  urls.forEach((url, index) => {
    const problem = checkUrlProblem(url);
    // The URL is a secret: the problem names its place in the list, never the URL.
    if (problem) problems.push(`${prefix}EXTERNAL_CHECKS: entry ${index + 1} ${problem}`);
  });
  const minutes = (key: string, fallback: number, max: number, min = 1): number =>
    integerSetting(setting(key), `${prefix}${key}`, fallback, { min, max }, problems);
  const waitMinutes = minutes('WAIT_MINUTES', 0, MAX_WAIT_MINUTES, 0);
  return {
    changeWindows: windowText !== undefined ? parsed.windows : [],
    waitMinutes,
    externalChecks: {
      urls,
      intervalInMinutes: minutes('EXTERNAL_CHECKS_INTERVAL_MINUTES', 5, 1440),
      timeoutInMinutes: minutes('EXTERNAL_CHECKS_TIMEOUT_MINUTES', 60, 43_200),
    },
  };
}

/**
 * How a check is named on pages and in the release's history: its host and path, without the query, the
 * user:password or the fragment that may carry its key. Several URLs with one name are numbered.
 */
export function externalCheckNames(urls: readonly string[]): string[] {
  const names = urls.map((url) => {
    try {
      const parsed = new URL(url);
      return `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
    } catch {
      return 'invalid URL';
    }
  });
  return names.map((name, i) =>
    names.filter((n) => n === name).length > 1
      ? `${name} (${names.slice(0, i + 1).filter((n) => n === name).length})`
      : name,
  );
}

function checkUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL; write https://<host>/<path>[?<query>]';
  }
  if (parsed.protocol !== 'https:')
    return 'must be an https:// URL (the check carries the release and its plan)';
  if (parsed.hash) return 'has a #fragment, which is never sent; put what it carries in the query';
  return undefined;
}

function integerSetting(
  text: string | undefined,
  key: string,
  fallback: number,
  bounds: { min: number; max: number },
  problems: string[],
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < bounds.min || value > bounds.max) {
    problems.push(
      `${key} must be a whole number of minutes from ${bounds.min} to ${bounds.max}, got "${text}"`,
    );
    return fallback;
  }
  return value;
}
