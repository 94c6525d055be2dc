// I/O (HTTP trigger): GET /api/releases/{id} — a release's status as JSON: each stage's state, plan
// summary, approval (with the signed approval link while it waits), outcome and timings.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { ReleaseStatus } from '../activities/contracts';
import { appServices } from '../activities/engine/appServices';
import { approvalUrl } from '../approvals/approvalUrl';
import { createApprovalToken } from '../approvals/createApprovalToken';

export async function getRelease(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const status = await df
    .getClient(context)
    .getStatus(id)
    .catch(() => undefined);
  if (!status?.runtimeStatus) return { status: 404, jsonBody: { error: `no release ${id}` } };
  return { status: 200, jsonBody: releaseView(status) };
}

export function releaseView(status: df.DurableOrchestrationStatus): Record<string, unknown> {
  const { settings } = appServices();
  const release = (status.output ?? status.customStatus) as ReleaseStatus | undefined;
  const stages = (release?.stages ?? []).map((stage) => {
    const expires = stage.approval?.expiresAt;
    if (stage.state !== 'waiting' || !expires || settings.approvalSigningKeys.length === 0) return stage;
    const token = createApprovalToken(
      { releaseId: status.instanceId, environment: stage.environment, expiresAt: Date.parse(expires) / 1000 },
      settings.approvalSigningKeys,
    );
    return { ...stage, approvalUrl: approvalUrl(settings.publicUrl, token) };
  });
  return {
    releaseId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    createdTime: status.createdTime,
    lastUpdatedTime: status.lastUpdatedTime,
    ...(release ? { ...release, stages } : {}),
  };
}
