// Test infrastructure: validates and normalizes an absolute workspace or DBFS path.
// The real API refuses relative paths; trailing and doubled slashes name the same object.
import { ApiError } from './ApiError';

export function normalizePath(raw: string, kind: 'workspace' | 'dbfs'): string {
  const path = kind === 'dbfs' && raw.startsWith('dbfs:') ? raw.slice('dbfs:'.length) : raw;
  if (!path.startsWith('/')) throw ApiError.invalidParameter(`Path (${raw}) doesn't start with '/'`);
  const segments = path.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    throw ApiError.invalidParameter(`Path (${raw}) must not contain '.' or '..'`);
  }
  return '/' + segments.join('/');
}

export function parentOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index <= 0 ? '/' : path.slice(0, index);
}
