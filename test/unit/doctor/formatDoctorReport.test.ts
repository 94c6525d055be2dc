import { describe, expect, it } from 'vitest';
import { doctorReport } from '../../../src/doctor/DoctorCheck';
import { formatDoctorReport } from '../../../src/doctor/formatDoctorReport';

describe('formatDoctorReport', () => {
  it('prints one line per check with its fix, then the counts', () => {
    const report = doctorReport([
      { status: 'ok', name: 'settings', detail: '1 environment(s)' },
      {
        status: 'fail',
        environment: 'prod',
        name: 'secret x',
        detail: 'missing',
        fix: 'az keyvault secret set ...',
      },
      { status: 'skip', environment: 'dev', name: 'notification webhook', detail: 'not configured' },
    ]);
    expect(report.ok).toBe(false);
    expect(formatDoctorReport(report).split('\n')).toEqual([
      'ok    app   settings: 1 environment(s)',
      'FAIL  prod  secret x: missing -- fix: az keyvault secret set ...',
      'skip  dev   notification webhook: not configured',
      'doctor: 1 ok, 1 failed, 1 skipped (each failed line ends with its fix)',
    ]);
  });

  it('counts skipped checks as passing', () => {
    const report = doctorReport([{ status: 'skip', name: 'GitHub webhook secret', detail: 'not used' }]);
    expect(report.ok).toBe(true);
    expect(formatDoctorReport(report)).toMatch(/doctor: 0 ok, 0 failed, 1 skipped$/);
  });
});
