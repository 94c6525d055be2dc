// I/O: what both approval routes do first: take the app's services (settings are read once and again when
// they change; a failed read is not kept, so fixing a setting takes effect), verify the link's token, and
// find the environment it names.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { type ApprovalClaims, describeTokenFailure, verifyApprovalToken } from '../approvals/approvalToken';
import type { EnvironmentSettings } from '../config/Settings';
import type { AppServices } from '../services/appServices';
import { messageResponse } from '../web/responses';
import { openAppServices } from './openAppServices';

export type OpenedApprovalLink =
  | { ok: true; services: AppServices; claims: ApprovalClaims; environment: EnvironmentSettings }
  | { ok: false; response: HttpResponseInit };

export function openApprovalLink(
  request: HttpRequest,
  context: InvocationContext,
  now: Date,
): OpenedApprovalLink {
  const opened = openAppServices(context);
  if (!opened.ok) return opened;
  const s = opened.services;
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
