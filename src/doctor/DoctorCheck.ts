// Pure: one line of `bricklane doctor`: a check of one environment (or of the app), its outcome and its fix.

export type DoctorStatus = 'ok' | 'fail' | 'skip';

export interface DoctorCheck {
  status: DoctorStatus;
  /** The environment checked; absent for app-wide checks (signing keys, public URL, webhooks). */
  environment?: string;
  /** What was checked, e.g. `resource group`, `secret databricks-dev-ops-client-id`. */
  name: string;
  /** What was found. Never a secret value: names, scopes, hosts and status codes only. */
  detail: string;
  /** Failing checks: the command, or the app setting and how to set it, that fixes it. */
  fix?: string;
}

export interface DoctorReport {
  /** True when no check failed (skipped checks do not fail a run). */
  ok: boolean;
  checks: DoctorCheck[];
}

export function doctorReport(checks: DoctorCheck[]): DoctorReport {
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}
