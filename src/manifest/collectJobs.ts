// Pure: job items from `jobs/*.json`, keyed by the job's `name`.
import type { BundleFile, Diagnostic, JobItem } from './Bundle';
import { malformedJsonDiagnostic } from './malformedJsonDiagnostic';
import { normalizeJob, type JobContext } from './normalizeJob';
import { sha256OfJson } from './sha256OfJson';

export interface CollectedJobs {
  jobs: JobItem[];
  diagnostics: Diagnostic[];
}

export function collectJobs(files: readonly BundleFile[], context: Omit<JobContext, 'file'>): CollectedJobs {
  const out: CollectedJobs = { jobs: [], diagnostics: [] };
  const firstFile = new Map<string, string>();
  for (const file of files) {
    if (file.json === undefined) continue;
    if (!file.json.ok) {
      out.diagnostics.push(malformedJsonDiagnostic(file.path, file.json));
      continue;
    }
    const job = normalizeJob(file.json.value, { ...context, file: file.path });
    out.diagnostics.push(...job.diagnostics);
    if (job.name === undefined) continue;
    const earlier = firstFile.get(job.name);
    if (earlier !== undefined) {
      out.diagnostics.push({
        severity: 'error',
        code: 'JOB_NAME_DUPLICATE',
        file: file.path,
        path: '$.name',
        summary: `Job name ${JSON.stringify(job.name)} is used by both ${earlier} and ${file.path}; jobs are matched across deploys by name, so rename or remove one.`,
      });
      continue;
    }
    firstFile.set(job.name, file.path);
    if (job.settings === undefined) continue;
    out.jobs.push({
      key: `jobs.${job.name}`,
      name: job.name,
      source: file.path,
      settings: job.settings,
      clusterRefs: job.clusterRefs,
      sha256: sha256OfJson(job.settings),
      notebookRefs: job.notebookRefs,
      ...(job.externalInitScripts.length > 0 ? { externalInitScripts: job.externalInitScripts } : {}),
    });
  }
  out.jobs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}
