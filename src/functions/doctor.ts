// I/O (HTTP trigger): GET /api/doctor[?env=<name>] (function key) — the read-only preflight of
// `bricklane doctor`, run where it matters most: inside the Function App, with its own app settings,
// managed identity and network. The answer is the report as JSON ({ ok, checks: [...] }), status 200
// whatever the checks found (it is a report, not a health probe); it carries names, scopes, hosts and
// fixes, never a secret value.
//
// Registration (src/index.ts): app.http('doctor', doctorOptions)
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { SettingsError } from '../config/loadSettings';
import { runDoctor } from '../doctor/runDoctor';

export async function doctor(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const env = request.query.get('env')?.trim() || undefined;
  try {
    const report = await runDoctor(process.env, env === undefined ? {} : { environment: env });
    const failed = report.checks.filter((c) => c.status === 'fail').length;
    context.log(`doctor: ${report.checks.length} checks, ${failed} failed`);
    return { status: 200, jsonBody: report, headers: { 'Cache-Control': 'no-store' } };
  } catch (error) {
    if (error instanceof SettingsError) {
      return { status: 400, jsonBody: { error: error.problems.join('; ') } };
    }
    // An unexpected failure: its name only in the log (a message could quote a setting).
    context.error(`doctor: failed (${error instanceof Error ? error.name : 'error'})`);
    return {
      status: 500,
      jsonBody: { error: 'the doctor failed unexpectedly; the function log has its name' },
    };
  }
}

export const doctorOptions: HttpFunctionOptions = {
  route: 'doctor',
  methods: ['GET'],
  authLevel: 'function',
  handler: doctor,
};
