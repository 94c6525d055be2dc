// Test infrastructure: the function timeout the Functions host applies, from the app's host.json.
// azure-functions-host src/WebJobs.Script/Config/ScriptJobHostOptionsSetup.cs (commit
// 89dc438d476542786f2fc4070f553423213a6223), ConfigureFunctionTimeout, for Flex Consumption (infra/):
//   - unset: DefaultFunctionTimeout, 30 minutes (only the classic Consumption plan defaults to 5);
//   - "-1" (minus one day): no timeout, on the plans that allow an unbounded one (Flex does);
//   - otherwise at least MinFunctionTimeout (1 s); Flex has no upper bound. A bad value stops the host
//     from starting ("FunctionTimeout must be greater than 00:00:01 and less than ...").
import { readFileSync } from 'node:fs';

export const DEFAULT_FUNCTION_TIMEOUT_IN_MS = 30 * 60 * 1000;
const MIN_FUNCTION_TIMEOUT_IN_MS = 1000;
const DAY_IN_MS = 24 * 3600 * 1000;

/** The timeout in ms, or undefined for none. Throws, saying what to fix, for a value the host refuses. */
export function readFunctionTimeout(hostJsonPath: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(hostJsonPath, 'utf8');
  } catch (error) {
    throw new Error(
      `host.json: cannot read ${hostJsonPath} (${error instanceof Error ? error.message : String(error)}); ` +
        'pass FunctionHostOptions.hostJsonPath pointing at the app root host.json',
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `host.json: ${hostJsonPath} is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  const value = (json as { functionTimeout?: unknown } | null)?.functionTimeout;
  if (value === undefined || value === null) return DEFAULT_FUNCTION_TIMEOUT_IN_MS;
  const ms = typeof value === 'string' ? parseTimeSpan(value) : undefined;
  if (ms === undefined)
    throw new Error(
      `host.json: functionTimeout ${JSON.stringify(value)} in ${hostJsonPath} is not a .NET TimeSpan; ` +
        'write it as "hh:mm:ss" (e.g. "00:10:00"), "d.hh:mm:ss", or "-1" for no timeout',
    );
  if (ms === -DAY_IN_MS) return undefined;
  if (ms < MIN_FUNCTION_TIMEOUT_IN_MS)
    throw new Error(
      `host.json: functionTimeout "${value}" in ${hostJsonPath} is refused by the Functions host: ` +
        'FunctionTimeout must be greater than 00:00:01 and less than 10675199.02:48:05.4775807.',
    );
  return ms;
}

/**
 * .NET TimeSpan.Parse for the forms host.json uses: "d", "[-][d.]hh:mm[:ss[.fffffff]]". Returns ms, or
 * undefined when the text is not one of them.
 */
export function parseTimeSpan(text: string): number | undefined {
  const match = /^\s*(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?\s*$/.exec(text);
  if (!match) {
    const days = /^\s*(-)?(\d+)\s*$/.exec(text);
    if (!days) return undefined;
    return (days[1] ? -1 : 1) * Number(days[2]) * DAY_IN_MS;
  }
  const [, minus, d, h, m, s, fraction] = match;
  const hours = Number(h);
  const minutes = Number(m);
  const seconds = Number(s ?? '0');
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const ms =
    Number(d ?? '0') * DAY_IN_MS +
    hours * 3_600_000 +
    minutes * 60_000 +
    seconds * 1000 +
    Math.round(Number(`0.${fraction ?? '0'}`) * 1000);
  return minus ? -ms : ms;
}

/** A duration in .NET's TimeSpan "c" format ("00:00:01", "1.02:00:00", "00:00:01.5000000"), as the host logs it. */
export function formatTimeSpan(ms: number): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const days = Math.floor(ms / DAY_IN_MS);
  const rest = ms % DAY_IN_MS;
  const time = `${two(Math.floor(rest / 3_600_000))}:${two(Math.floor((rest % 3_600_000) / 60_000))}:${two(Math.floor((rest % 60_000) / 1000))}`;
  const fraction = rest % 1000 ? `.${String((rest % 1000) * 10_000).padStart(7, '0')}` : '';
  return `${days > 0 ? `${days}.` : ''}${time}${fraction}`;
}
