// I/O: appends one release event to its environment's audit trail (release/AuditEvent.ts says what each
// event holds; azure/AuditStore.ts how it is kept). The one way in for every writer: the activities and
// triggers where an event happens (a plan, an approval, a stage's end, a policy's verdict), never an
// orchestrator (no I/O there). Throws what storage throws: in an activity that means a retry, and the
// event's id makes a second copy harmless.
import { inEnvironmentTrail, type AuditEventInput } from '../release/AuditEvent';
import { appServices } from './appServices';

export async function appendAudit(event: AuditEventInput): Promise<void> {
  // A ring workspace's event (a one-workspace rollback release's) goes to its ring's trail, naming the workspace.
  await appServices().audit.append(inEnvironmentTrail(event));
}
