// I/O: what both approval routes do first: take the app's services (settings are read once and again when
// they change; a failed read is not kept, so fixing a setting takes effect), verify the link's token, and
// find the environment it names.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { type ApprovalClaims, describeTokenFailure, verifyApprovalToken } from '../approvals/approvalToken';
import type { EnvironmentSettings } from '../config/Settings';
import { appServices, type AppServices } from '../services/appServices';
import { messageResponse } from '../web/responses';

export type OpenedApprovalLink =
  | { ok: true; services: AppServices; claims: ApprovalClaims; environment: EnvironmentSettings }
  | { ok: false; response: HttpResponseInit };

export function openApprovalLink(
  request: HttpRequest,
  context: InvocationContext,
  now: Date,
): OpenedApprovalLink {
  let s: AppServices;
  try {
    s = appServices();
  } catch (error) {
    context.error(`${context.functionName}: ${error instanceof Error ? error.message : String(error)}`);
    return {
      ok: false,
      response: messageResponse(
        500,
        'Not configured',
        'bricklane is not configured correctly; its log says what to fix.',
      ),
    };
  }
  const verified = verifyApprovalToken(request.params.token ?? '', s.settings.approvalSigningKeys, now);
  if (!verified.ok) {
    const failure = describeTokenFailure(verified.reason);
    return { ok: false, response: messageResponse(failure.status, failure.title, failure.message) };
  }
  const claims = verified.claims;
  const environment = s.settings.environments.find((e) => e.name === claims.environment);
  if (!environment) {
    return {
      ok: false,
      response: messageResponse(
        409,
        'Not waiting',
        `Environment ${claims.environment} is no longer configured.`,
      ),
    };
  }
  return { ok: true, services: s, claims, environment };
}
