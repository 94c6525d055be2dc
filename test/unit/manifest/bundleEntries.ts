// Test helpers: in-memory bundle entries, shaped as loadBundle hands them to validateBundle.
import { createHash } from 'node:crypto';
import type { BundleEntry, BundleFile, Diagnostic, LoadResult } from '../../../src/manifest/Bundle';
import { jsonKindOf } from '../../../src/manifest/jsonKindOf';
import { parseJsonText } from '../../../src/manifest/parseJsonText';
import { validateBundle } from '../../../src/manifest/validateBundle';

/** A file with this text; `size` overrides the byte count (to test limits without the bytes). */
export function file(path: string, text = `# ${path}\n`, size?: number): BundleFile {
  const entry: BundleFile = {
    type: 'file',
    path,
    size: size ?? Buffer.byteLength(text),
    sha256: createHash('sha256').update(text).digest('hex'),
  };
  if (jsonKindOf(path) !== undefined) entry.json = parseJsonText(text);
  return entry;
}

export function json(path: string, value: unknown): BundleFile {
  return file(path, `${JSON.stringify(value, null, 2)}\n`);
}

export const SMALL_CLUSTER = {
  cluster_name: 'Small',
  spark_version: '15.4.x-scala2.12',
  node_type_id: 'Standard_DS3_v2',
  num_workers: 1,
};

/** A valid bundle to add one problem to: one cluster, two notebooks, one init script. */
export function baseEntries(): BundleEntry[] {
  return [
    json('clusters/small.json', SMALL_CLUSTER),
    file('notebooks/etl/ingest.py', '# Databricks notebook source\nprint(1)\n'),
    file('notebooks/etl/report.sql', '-- Databricks notebook source\nSELECT 1\n'),
    file('init-scripts/setup.sh', '#!/bin/bash\necho hi\n'),
  ];
}

export function validate(entries: readonly BundleEntry[]): LoadResult {
  return validateBundle('/bundle', entries);
}

export function errors(result: LoadResult): Diagnostic[] {
  return result.diagnostics.filter((d) => d.severity === 'error');
}

export function warnings(result: LoadResult): Diagnostic[] {
  return result.diagnostics.filter((d) => d.severity === 'warning');
}
