// I/O (activity): posts a release notice to the environment's incoming webhook (Teams or Slack: both
// accept a JSON body with `text`). A notice is never worth a failed release: every failure is returned as
// data, and the URL (which carries its own secret) never appears in a result or a log.
import type { InvocationContext } from '@azure/functions';
import { approvalUrl, createApprovalToken } from '../approvals/approvalToken';
import { statusViewUrl } from '../approvals/releaseViewUrl';
import { environmentByName } from '../config/loadSettings';
import type { NotifyInput, NotifyResult } from './contracts';
import { recordNotice } from './engine/recordNotice';
import type { StageEndFacts } from '../release/AuditEvent';
import { appServices } from '../services/appServices';
import type { ActivityOptions } from 'durable-functions';

const TIMEOUT_IN_MS = 5_000;

export async function notify(
  input: NotifyInput & StageEndFacts,
  context: InvocationContext,
): Promise<NotifyResult> {
  // The audit record first: a notice that cannot be sent still leaves its record (recordNotice never throws).
  await recordNotice(input, context);
  try {
    const { settings } = appServices();
    const env = environmentByName(settings, input.environment);
    if (!env.notifyUrl) return { sent: false, reason: 'no notification URL configured' };
    // People read notices in Teams or Slack, without the function key: the status link is a signed view link.
    const statusUrl =
      statusViewUrl(settings, input.releaseId) ?? `${settings.publicUrl}/api/releases/${input.releaseId}`;
    let text: string;
    if (input.kind === 'approvalNeeded') {
      const expiresAt = Date.parse(input.expiresAt ?? '') / 1000;
      const link =
        settings.approvalSigningKeys.length > 0 && Number.isFinite(expiresAt)
          ? approvalUrl(
              settings.publicUrl,
              createApprovalToken(
                {
                  releaseId: input.releaseId,
                  environment: input.environment,
                  expiresAt,
                  ...(input.planId !== undefined ? { nonce: input.planId } : {}),
                },
                settings.approvalSigningKeys,
              ),
            )
          : statusUrl;
      text = `bricklane: release ${input.releaseId} waits for approval to deploy to ${input.environment} (until ${input.expiresAt ?? '?'}). Review the plan and decide: ${link}`;
    } else {
      const fix = input.fix ? ` Fix: ${input.fix}.` : '';
      // A state in words: `rolledBack` reads "rolled back".
      const state = input.state === 'rolledBack' ? 'rolled back' : (input.state ?? 'finished');
      text = `bricklane: ${input.environment} ${state} for release ${input.releaseId}${input.message ? ` — ${input.message}` : ''}.${fix} Status: ${statusUrl}`;
    }
    const response = await fetch(env.notifyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(TIMEOUT_IN_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) {
      context.warn(`notify: ${input.environment} webhook answered ${response.status}`);
      return { sent: false, reason: `webhook answered ${response.status}` };
    }
    return { sent: true };
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'error';
    context.warn(`notify: ${input.environment} notice not sent (${reason})`);
    return { sent: false, reason: `not sent (${reason})` };
  }
}

/** Options for `df.app.activity('notify', notifyOptions)`. Never wrapped: it returns every failure itself. */
export const notifyOptions: ActivityOptions = { handler: notify };
