// Test infrastructure: the emulator's Files API rules (Unity Catalog volumes) over HTTPS, with bare requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabricksEmulator } from './DatabricksEmulator';

let emulator: DatabricksEmulator;
let url: string;
const volume = '/Volumes/main/ops/scripts';

beforeAll(async () => {
  emulator = await DatabricksEmulator.start({ rateLimits: false });
  const workspace = await emulator.addWorkspace('dev');
  workspace.addVolume(volume);
  url = emulator.workspaceUrl('dev');
});
afterAll(() => emulator.stop());

async function call(method: string, path: string, body?: string): Promise<Response> {
  return fetch(`${url}/api/2.0/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${DatabricksEmulator.defaultToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/octet-stream' }),
    },
    ...(body === undefined ? {} : { body }),
  });
}

describe('Files API', () => {
  it('uploads raw bytes into a volume (parents come with the file), reads them back, HEAD says the size', async () => {
    expect(
      (await call('PUT', `fs/files${volume}/init/setup.sh?overwrite=true`, '#!/bin/bash\n')).status,
    ).toBe(204);
    const got = await call('GET', `fs/files${volume}/init/setup.sh`);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('#!/bin/bash\n');
    const head = await call('HEAD', `fs/files${volume}/init/setup.sh`);
    expect([head.status, head.headers.get('content-length')]).toEqual([200, '12']);
    expect((await call('HEAD', `fs/directories${volume}/init`)).status).toBe(200);
    const listed = (await (await call('GET', `fs/directories${volume}/init`)).json()) as {
      contents: { path: string }[];
    };
    expect(listed.contents.map((c) => c.path)).toEqual([`${volume}/init/setup.sh`]);
    expect(emulator.snapshot('dev').volumeFiles).toEqual({
      [`${volume}/init/setup.sh`]: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(emulator.counters('dev').byEndpoint['2.0/fs/files']).toBe(3);
  });

  it('refuses overwrite=false on an existing file (409 ALREADY_EXISTS) and overwrites by default', async () => {
    const refused = await call('PUT', `fs/files${volume}/init/setup.sh?overwrite=false`, 'x');
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error_code: string }).error_code).toBe('ALREADY_EXISTS');
    expect((await call('PUT', `fs/files${volume}/init/setup.sh`, 'y')).status).toBe(204);
    expect(await (await call('GET', `fs/files${volume}/init/setup.sh`)).text()).toBe('y');
  });

  it('answers 404 NOT_FOUND for a missing file and for a volume that does not exist', async () => {
    const missing = await call('GET', `fs/files${volume}/nope.sh`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error_code: string }).error_code).toBe('NOT_FOUND');
    expect((await call('PUT', 'fs/files/Volumes/main/ops/other/a.sh', 'x')).status).toBe(404);
    expect((await call('HEAD', `fs/files${volume}/nope.sh`)).status).toBe(404);
  });

  it('creates directories idempotently, deletes only empty ones, and deletes files', async () => {
    expect((await call('PUT', `fs/directories${volume}/a/b`)).status).toBe(204);
    expect((await call('PUT', `fs/directories${volume}/a/b`)).status).toBe(204);
    expect((await call('DELETE', `fs/directories${volume}/a`)).status).toBe(409);
    expect((await call('DELETE', `fs/directories${volume}/a/b`)).status).toBe(204);
    expect((await call('DELETE', `fs/files${volume}/init/setup.sh`)).status).toBe(204);
    expect((await call('HEAD', `fs/files${volume}/init/setup.sh`)).status).toBe(404);
  });

  it('answers a method the Files API does not have with 405', async () => {
    expect((await call('POST', `fs/files${volume}/x.sh`, 'x')).status).toBe(405);
  });
});
