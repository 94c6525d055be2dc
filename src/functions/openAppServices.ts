// I/O: the app's services for an HTTP trigger that answers pages (settings are read once and again when they
// change; a failed read is not kept, so fixing a setting takes effect), or the page that says bricklane is not
// configured, with what to fix in the log only (a setting's problem may quote its value).
import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { appServices, type AppServices } from '../services/appServices';
import { messageResponse } from '../web/responses';

export function openAppServices(
  context: InvocationContext,
): { ok: true; services: AppServices } | { ok: false; response: HttpResponseInit } {
  try {
    return { ok: true, services: appServices() };
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
}
