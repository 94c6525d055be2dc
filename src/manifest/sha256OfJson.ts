// Pure: sha256 (hex) of the canonical JSON of a value; the content hash of cluster specs and job settings.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonicalJson';

export function sha256OfJson(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}
