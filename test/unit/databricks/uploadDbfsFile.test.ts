import { describe, expect, it } from 'vitest';
import { DatabricksWorkspaceClient } from '../../../src/databricks/DatabricksWorkspaceClient';
import { StaticTokenCredential } from '../../../src/databricks/StaticTokenCredential';
import { uploadDbfsFile } from '../../../src/databricks/uploadDbfsFile';
import { apiError, connectionError, json, scriptedFetch, type RecordedRequest } from './scriptedFetch';

const MiB = 1_048_576;

/** A tiny stateful DBFS: handles, blocks, files that appear at close; optional faults by request number. */
function fakeDbfs(
  fault: (request: RecordedRequest, n: number) => Response | Error | undefined = () => undefined,
) {
  const files = new Map<string, Buffer>();
  const open = new Map<number, { path: string; blocks: Buffer[] }>();
  let nextHandle = 1;
  let n = 0;
  const fake = scriptedFetch((request) => {
    n++;
    const injected = fault(request, n);
    if (injected instanceof Error) throw injected;
    if (injected !== undefined) return injected;
    const body = request.body ?? {};
    switch (request.url.pathname) {
      case '/api/2.0/dbfs/put': {
        const contents = Buffer.from(String(body.contents), 'base64');
        if (contents.length > MiB) return apiError(400, 'MAX_BLOCK_SIZE_EXCEEDED', 'too big');
        files.set(String(body.path), contents);
        return json(200, {});
      }
      case '/api/2.0/dbfs/create': {
        const handle = nextHandle++;
        open.set(handle, { path: String(body.path), blocks: [] });
        return json(200, { handle });
      }
      case '/api/2.0/dbfs/add-block': {
        const data = Buffer.from(String(body.data), 'base64');
        const upload = open.get(Number(body.handle));
        if (upload === undefined) return apiError(404, 'RESOURCE_DOES_NOT_EXIST', 'no handle');
        if (data.length > MiB) return apiError(400, 'MAX_BLOCK_SIZE_EXCEEDED', 'too big');
        upload.blocks.push(data);
        return json(200, {});
      }
      case '/api/2.0/dbfs/close': {
        const upload = open.get(Number(body.handle));
        if (upload === undefined) return apiError(404, 'RESOURCE_DOES_NOT_EXIST', 'no handle');
        open.delete(Number(body.handle));
        files.set(upload.path, Buffer.concat(upload.blocks));
        return json(200, {});
      }
      default:
        return apiError(404, 'ENDPOINT_NOT_FOUND', request.url.pathname);
    }
  });
  const client = new DatabricksWorkspaceClient(
    'https://emulator.test',
    new StaticTokenCredential('t0ken-value'),
    {
      fetch: fake.fetch,
      retry: { baseDelayInMs: 1 },
    },
  );
  return { client, files, requests: fake.requests };
}

function contentOf(size: number): Buffer {
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buffer[i] = (i * 31) % 251;
  return buffer;
}

describe('uploadDbfsFile', () => {
  it('writes up to 1 MiB with one put', async () => {
    const { client, files, requests } = fakeDbfs();
    await uploadDbfsFile(client, 'dbfs:/init/a.sh', contentOf(MiB));
    expect(requests.map((r) => r.url.pathname)).toEqual(['/api/2.0/dbfs/put']);
    expect(requests[0]?.body?.overwrite).toBe(true);
    expect(files.get('dbfs:/init/a.sh')?.equals(contentOf(MiB))).toBe(true);
  });

  it('streams larger files in blocks of at most 1 MiB', async () => {
    const { client, files, requests } = fakeDbfs();
    const contents = contentOf(2 * MiB + MiB / 2);
    await uploadDbfsFile(client, 'dbfs:/libs/big.jar', contents);
    expect(requests.map((r) => r.url.pathname.replace('/api/2.0/dbfs/', ''))).toEqual([
      'create',
      'add-block',
      'add-block',
      'add-block',
      'close',
    ]);
    const blockSizes = requests
      .filter((r) => r.url.pathname.endsWith('add-block'))
      .map((r) => Buffer.from(String(r.body?.data), 'base64').length);
    expect(blockSizes).toEqual([MiB, MiB, MiB / 2]);
    expect(files.get('dbfs:/libs/big.jar')?.equals(contents)).toBe(true);
  });

  it('restarts with a new handle when an add-block fails ambiguously, so no block is written twice', async () => {
    const { client, files, requests } = fakeDbfs((request, n) =>
      n === 3 && request.url.pathname.endsWith('add-block') ? connectionError('ECONNRESET') : undefined,
    );
    const contents = contentOf(3 * MiB);
    await uploadDbfsFile(client, 'dbfs:/big', contents);
    expect(files.get('dbfs:/big')?.equals(contents)).toBe(true);
    expect(requests.filter((r) => r.url.pathname.endsWith('create'))).toHaveLength(2);
  });

  it('gives up after maxRestarts and rethrows permanent failures at once', async () => {
    const failing = fakeDbfs((request) =>
      request.url.pathname.endsWith('add-block') ? connectionError('ECONNRESET') : undefined,
    );
    await expect(
      uploadDbfsFile(failing.client, 'dbfs:/big', contentOf(2 * MiB), { maxRestarts: 1 }),
    ).rejects.toThrow(/databricks dbfs\/add-block: request failed \(ECONNRESET\)/);
    expect(failing.requests.filter((r) => r.url.pathname.endsWith('create'))).toHaveLength(2);

    const denied = fakeDbfs((request) =>
      request.url.pathname.endsWith('create') ? apiError(403, 'PERMISSION_DENIED', 'no') : undefined,
    );
    await expect(uploadDbfsFile(denied.client, 'dbfs:/big', contentOf(2 * MiB))).rejects.toThrow(
      /lacks access/,
    );
    expect(denied.requests).toHaveLength(1);
  });
});
