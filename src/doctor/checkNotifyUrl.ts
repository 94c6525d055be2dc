// I/O: an environment's notification webhook (Teams or Slack) is reachable, proven without posting.
// Both services take notices only as a POST, and any POST they accept is shown to people. A HEAD request
// still resolves the host, connects, checks the certificate and gets an HTTP answer (whatever its status:
// these endpoints answer a HEAD with 4xx), which is what fails in practice: a host blocked by the
// firewall, a proxy, a mistyped host name. It cannot prove the URL's secret path is still valid; only a
// delivered notice does. The URL is a secret (it carries its own key): only its origin is ever shown.
import { classifyNetworkError } from '../databricks/classifyNetworkError';
import type { EnvironmentSettings } from '../config/Settings';
import type { DoctorCheck } from './DoctorCheck';
import { settingFix, type DoctorRuntime } from './DoctorRuntime';

export interface NotifyCheckOptions {
  runtime: DoctorRuntime;
  fetch?: typeof fetch;
  timeoutInMs?: number;
}

export async function checkNotifyUrl(
  env: EnvironmentSettings,
  options: NotifyCheckOptions,
): Promise<DoctorCheck> {
  const base = { environment: env.name, name: 'notification webhook' };
  const key = `BRICKLANE_${env.name.toUpperCase()}_NOTIFY_URL`;
  if (!env.notifyUrl)
    return { ...base, status: 'skip', detail: `not configured (${key}); no notices are sent` };
  const origin = new URL(env.notifyUrl).origin;
  const timeoutInMs = options.timeoutInMs ?? 5_000;
  try {
    const response = await (options.fetch ?? fetch)(env.notifyUrl, {
      method: 'HEAD',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutInMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return {
      ...base,
      status: 'ok',
      detail: `${origin} answered a HEAD with HTTP ${response.status} (reachable; nothing was posted)`,
    };
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name;
    const reason =
      name === 'TimeoutError'
        ? `no answer within ${timeoutInMs} ms`
        : (classifyNetworkError(error)?.code ?? (error instanceof Error ? error.name : 'error'));
    return {
      ...base,
      status: 'fail',
      detail: `cannot reach ${origin} (${reason}): notices would be lost`,
      fix:
        `check that this host reaches ${origin} (DNS, firewall, outbound proxy), or ` +
        settingFix(options.runtime, { [key]: '<the incoming-webhook URL, as a Key Vault reference>' }),
    };
  }
}
