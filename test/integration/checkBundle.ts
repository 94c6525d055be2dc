// Test infrastructure: a bundle whose serverless job `smoke_test` (running notebooks/smoke) is its check
// (bricklane.json `checks`, 5 min), written to a new temporary folder, for the release tests of checks and
// rollback. The caller removes the folder.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes the bundle with these notebooks (name -> source lines after the header); `smoke` is the check's. */
export function writeCheckBundle(notebooks: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bricklane-checks-'));
  mkdirSync(join(dir, 'notebooks'));
  mkdirSync(join(dir, 'jobs'));
  for (const [name, body] of Object.entries(notebooks))
    writeFileSync(join(dir, 'notebooks', `${name}.py`), `# Databricks notebook source\n${body}\n`);
  writeFileSync(
    join(dir, 'jobs', 'smoke_test.json'),
    JSON.stringify({
      name: 'smoke_test',
      environments: [{ environment_key: 'default', spec: { environment_version: '2' } }],
      tasks: [
        {
          task_key: 'smoke',
          environment_key: 'default',
          notebook_task: { notebook_path: 'notebooks/smoke' },
        },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'bricklane.json'),
    JSON.stringify({ checks: [{ job: 'smoke_test', timeoutMinutes: 5 }] }),
  );
  return dir;
}
