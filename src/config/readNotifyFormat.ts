// Pure: which message format an environment's notification webhook takes. By default the webhook URL's host
// says it; BRICKLANE_<ENV>_NOTIFY_FORMAT=teams|slack|text overrides (a proxy or relay in front of the
// channel, or a host this list does not know).
type Values = Readonly<Record<string, string | undefined>>;

/**
 * - `teams`: an Adaptive Card in a `message` (Teams incoming webhooks and Workflows).
 * - `slack`: Block Kit blocks with a `text` fallback (Slack incoming webhooks).
 * - `text`: `{ text }` alone, which both accept and any generic receiver can read.
 */
export type NotifyFormat = 'teams' | 'slack' | 'text';

const FORMATS: readonly NotifyFormat[] = ['teams', 'slack', 'text'];

/**
 * The hosts each channel hands out webhook URLs on:
 * - Slack: `https://hooks.slack.com/services/...` (docs.slack.dev, "Sending messages using incoming
 *   webhooks").
 * - Teams: the Microsoft 365 connector's `<tenant>.webhook.office.com` (formerly `outlook.office.com`), and
 *   the Workflows app's "Post to a channel when a webhook request is received", whose trigger URL is on
 *   `*.logic.azure.com` or, for newer flows, `*.powerplatform.com` (learn.microsoft.com, "Create incoming
 *   webhooks with Workflows for Microsoft Teams").
 */
const SLACK_HOSTS = [/^hooks\.slack\.com$/];
const TEAMS_HOSTS = [
  /(^|\.)webhook\.office\.com$/,
  /^outlook\.office(365)?\.com$/,
  /\.logic\.azure\.com$/,
  /(^|\.)powerplatform\.com$/,
];

/** The environment's override, or undefined (the URL decides). A value outside the three is a problem. */
export function readNotifyFormat(
  values: Values,
  environment: string,
  problems: string[],
): NotifyFormat | undefined {
  const key = `BRICKLANE_${environment.toUpperCase()}_NOTIFY_FORMAT`;
  const value = values[key]?.trim().toLowerCase() || undefined;
  if (value === undefined) return undefined;
  if ((FORMATS as readonly string[]).includes(value)) return value as NotifyFormat;
  problems.push(`${key} must be one of ${FORMATS.join(', ')}, got "${value}"`);
  return undefined;
}

/** The format to post to `url` in: the override when set, else the host's channel, else plain text. */
export function notifyFormatFor(url: string, override?: NotifyFormat): NotifyFormat {
  if (override) return override;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return 'text';
  }
  if (SLACK_HOSTS.some((h) => h.test(host))) return 'slack';
  if (TEAMS_HOSTS.some((h) => h.test(host))) return 'teams';
  return 'text';
}
