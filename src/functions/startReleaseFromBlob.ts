// I/O (blob trigger): an archive uploaded to the `bundles` container (`bundles/<name>.tar.gz`, `.tgz` or
// `.zip`) is unpacked safely, staged, and released. Blob metadata `commit`, `ref` and `requestedby` say
// where it came from. Uploading the same content again answers the existing release (the id is derived).
// A thrown blob trigger is retried by the host (5 times, then the poison queue): that helps a storage
// outage, never a bad archive, so permanent problems are logged and end the invocation; transient ones throw.
import type { InvocationContext, StorageBlobFunctionOptions } from '@azure/functions';
import * as df from 'durable-functions';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReleaseSource } from '../release/ReleaseInput';
import { appServices } from '../services/appServices';
import { releaseInputFor } from '../release/releaseInputFor';
import { ArchiveRejectedError } from '../sources/ArchiveRejectedError';
import { stageArchive } from '../sources/stageArchive';
import type { StagedBundle } from '../sources/stageBundle';
import { beginRelease } from './beginRelease';

/** Larger uploads are refused before anything is unpacked (the host already holds the blob in memory). */
const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
const ARCHIVE_NAME = /\.(tar\.gz|tgz|zip)$/i;
const COMMIT = /^[0-9a-f]{7,64}$/i;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const PRINTABLE = /^[^\u0000-\u001f\u007f]{1,256}$/;

export async function startReleaseFromBlob(blob: unknown, context: InvocationContext): Promise<void> {
  const name = stringOf(context.triggerMetadata?.name) ?? '';
  const where = `bundles/${name}`;
  if (!ARCHIVE_NAME.test(name)) {
    context.log(`${where}: ignored; only .tar.gz, .tgz and .zip uploads start a release`);
    return;
  }
  const data = Buffer.isBuffer(blob) ? blob : blob instanceof Uint8Array ? Buffer.from(blob) : undefined;
  if (data === undefined) {
    context.error(`${where}: the trigger delivered no bytes (got ${typeof blob}); nothing was released`);
    return;
  }
  if (data.length > MAX_UPLOAD_BYTES) {
    context.error(
      `${where} starts no release: it is ${megabytes(data.length)} MB, over the ${megabytes(MAX_UPLOAD_BYTES)} MB ` +
        'upload limit. Keep large data out of the bundle (put it in DBFS, a volume or cloud storage)',
    );
    return;
  }
  const source = uploadSource(context.triggerMetadata?.metadata, (problem) =>
    context.warn(`${where}: ${problem}`),
  );
  const services = appServices();
  const work = await mkdtemp(join(tmpdir(), 'bricklane-upload-'));
  let staged: StagedBundle;
  try {
    const archive = join(work, 'upload');
    await writeFile(archive, data);
    staged = await stageArchive(services.releases, archive, { subfolder: '' });
  } catch (error) {
    if (error instanceof ArchiveRejectedError) {
      context.error(`${where} starts no release: ${error.message}`);
      return;
    }
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const input = releaseInputFor(services.settings, { bundleId: staged.bundleId, source });
  const began = await beginRelease(df.getClient(context), input, services.settings.publicUrl);
  if (began.started) {
    context.log(
      `${where}: started release ${began.releaseId} of bundle ${staged.bundleId} (${staged.files} files) ` +
        `for ${input.environments.join(', ')}; status: ${began.statusUrl}`,
    );
  } else {
    context.log(
      `${where}: bundle ${staged.bundleId} was released before as ${began.releaseId} (${began.runtimeStatus ?? 'unknown'}); ` +
        `nothing new started. To deploy it again, POST /api/releases with "rerun"`,
    );
  }
}

export const startReleaseFromBlobOptions: StorageBlobFunctionOptions = {
  path: 'bundles/{name}',
  connection: 'AzureWebJobsStorage',
  // Flex Consumption runs blob triggers only from Event Grid notifications (no container polling).
  source: 'EventGrid',
  extraInputs: [df.input.durableClient()],
  handler: startReleaseFromBlob,
};

/**
 * Blob metadata -> the release's source. Metadata is whatever the uploader typed, so each value is checked:
 * the commit ends up in the release id (which Durable restricts), the others on the status page.
 * Keys are matched case-insensitively (the worker lower-cases only their first letter).
 */
function uploadSource(metadata: unknown, warn: (problem: string) => void): ReleaseSource {
  const values = new Map<string, string>();
  if (metadata && typeof metadata === 'object') {
    for (const [key, value] of Object.entries(metadata)) {
      const text = stringOf(value)?.trim();
      if (text) values.set(key.toLowerCase(), text);
    }
  }
  const source: ReleaseSource = { kind: 'upload' };
  const commit = values.get('commit');
  if (commit !== undefined) {
    if (COMMIT.test(commit)) source.commit = commit.toLowerCase();
    else
      warn(`metadata commit "${commit.slice(0, 80)}" is not a git commit id (7 to 64 hex digits); ignored`);
  }
  for (const [key, field] of [
    ['ref', 'ref'],
    ['requestedby', 'requestedBy'],
  ] as const) {
    const value = values.get(key);
    if (value === undefined) continue;
    if (PRINTABLE.test(value)) source[field] = value;
    else warn(`metadata ${key} is longer than 256 characters or holds control characters; ignored`);
  }
  return source;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
