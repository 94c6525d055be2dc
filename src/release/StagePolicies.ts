// Pure: what a stage's deploy policies did, as the status and approval pages show it and an audit trail can
// record it: the wait timer's end, the change window's state, each external check's last answer.
export interface StagePolicies {
  /** Soak time: the stage may apply from `until` on (the previous environment's success + `minutes`). */
  wait?: { minutes: number; until: string; passed: boolean };
  /** The environment's change windows (as written) and, when last looked at, open until or opening at. */
  window?: { text: string; open: boolean; opensAt?: string; closesAt?: string };
  /** The external checks, asked again every interval until all pass or `deadline`. */
  externalChecks?: { deadline?: string; nextAt?: string; checks: ExternalCheckStatus[] };
}

export type ExternalCheckState = 'pending' | 'passed' | 'failing' | 'failed';

export interface ExternalCheckStatus {
  /** The check's host and path: never its query or credentials (readPolicies externalCheckNames). */
  name: string;
  state: ExternalCheckState;
  /** The check's own message (its answer), or why its answer could not be read. */
  message?: string;
  /** The last answer's time (the orchestration's clock, ISO). */
  checkedAt?: string;
  attempts: number;
}
