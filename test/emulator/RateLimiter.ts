// Test infrastructure: per-workspace token buckets in front of the emulated REST API.
// Rates follow the Azure Databricks limits page
// (https://learn.microsoft.com/azure/databricks/resources/limits); each bucket holds one second of tokens, so
// a burst above the rate is refused at once with the wait until the next token.
export interface RateLimits {
  /** 2.0/workspace/import */
  workspaceImport: number;
  /** every 2.0/dbfs/* endpoint, sharing one bucket */
  dbfs: number;
  /** 2.1/jobs/create */
  jobsCreate: number;
  /** each other endpoint, one bucket per endpoint */
  other: number;
}

export const defaultRateLimits: RateLimits = { workspaceImport: 30, dbfs: 30, jobsCreate: 20, other: 100 };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private limits: RateLimits | false,
    private readonly now: () => number,
  ) {}

  configure(limits: RateLimits | false): void {
    this.limits = limits;
    this.buckets.clear();
  }

  /** Takes a token; returns the seconds to wait when none is free, undefined when the request may pass. */
  take(endpoint: string): number | undefined {
    if (this.limits === false) return undefined;
    const { key, perSecond } = groupOf(endpoint, this.limits);
    if (!(perSecond > 0) || perSecond === Infinity) return undefined;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: perSecond, updatedAt: now };
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return (1 - bucket.tokens) / perSecond;
  }
}

function groupOf(endpoint: string, limits: RateLimits): { key: string; perSecond: number } {
  const [, ...rest] = endpoint.split('/');
  const name = rest.join('/');
  if (name === 'workspace/import') return { key: name, perSecond: limits.workspaceImport };
  if (name.startsWith('dbfs/')) return { key: 'dbfs', perSecond: limits.dbfs };
  if (name === 'jobs/create') return { key: name, perSecond: limits.jobsCreate };
  return { key: endpoint, perSecond: limits.other };
}
