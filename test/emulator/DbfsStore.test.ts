// Test infrastructure: the emulator's DBFS rules over real HTTPS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './callApi';
import { DatabricksEmulator } from './DatabricksEmulator';

const MiB = 1024 * 1024;
let emulator: DatabricksEmulator;
let url: string;

beforeAll(async () => {
  emulator = await DatabricksEmulator.start({ rateLimits: false });
  await emulator.addWorkspace('dev');
  url = emulator.workspaceUrl('dev');
});
afterAll(() => emulator.stop());

const b64 = (bytes: Buffer): string => bytes.toString('base64');

describe('dbfs/put', () => {
  it('accepts exactly 1 MiB, refuses one byte more, and creates parents', async () => {
    const ok = await callApi(url, 'POST', '2.0/dbfs/put', {
      path: 'dbfs:/a/b/one.bin',
      contents: b64(Buffer.alloc(MiB, 1)),
    });
    expect(ok).toMatchObject({ status: 200, body: {} });
    const tooBig = await callApi(url, 'POST', '2.0/dbfs/put', {
      path: '/a/big.bin',
      contents: b64(Buffer.alloc(MiB + 1)),
    });
    expect(tooBig).toMatchObject({ status: 400, body: { error_code: 'MAX_BLOCK_SIZE_EXCEEDED' } });
    const parent = await callApi(url, 'GET', '2.0/dbfs/get-status', { path: 'dbfs:/a/b' });
    expect(parent.body).toMatchObject({ path: '/a/b', is_dir: true });
    const file = await callApi(url, 'GET', '2.0/dbfs/get-status', { path: '/a/b/one.bin' });
    expect(file.body).toMatchObject({ is_dir: false, file_size: MiB });
    expect(emulator.workspace('dev').readDbfs('dbfs:/a/b/one.bin')?.equals(Buffer.alloc(MiB, 1))).toBe(true);
  });

  it('needs overwrite to replace a file; dbfs:/x and /x are the same file', async () => {
    await callApi(url, 'POST', '2.0/dbfs/put', { path: '/o/x.txt', contents: b64(Buffer.from('one')) });
    const again = await callApi(url, 'POST', '2.0/dbfs/put', {
      path: 'dbfs:/o/x.txt',
      contents: b64(Buffer.from('two')),
    });
    expect(again).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
    const overwrite = { path: 'dbfs:/o/x.txt', contents: b64(Buffer.from('two')), overwrite: true };
    expect((await callApi(url, 'POST', '2.0/dbfs/put', overwrite)).status).toBe(200);
    expect(emulator.workspace('dev').readDbfs('/o/x.txt')?.toString()).toBe('two');
  });

  it('refuses relative paths and invalid base64', async () => {
    const relative = await callApi(url, 'POST', '2.0/dbfs/put', { path: 'x.txt', contents: '' });
    expect(relative).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    const notBase64 = await callApi(url, 'POST', '2.0/dbfs/put', { path: '/y.txt', contents: 'no*base64' });
    expect(notBase64).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });
});

describe('dbfs streaming handles', () => {
  it('writes a large file in blocks, visible only at close', async () => {
    const created = await callApi(url, 'POST', '2.0/dbfs/create', {
      path: 'dbfs:/big/file.bin',
      overwrite: false,
    });
    const handle = created.body['handle'];
    expect(typeof handle).toBe('number');
    for (const fill of [1, 2, 3]) {
      const block = await callApi(url, 'POST', '2.0/dbfs/add-block', {
        handle: handle ?? null,
        data: b64(Buffer.alloc(MiB, fill)),
      });
      expect(block.status).toBe(200);
    }
    const oversized = await callApi(url, 'POST', '2.0/dbfs/add-block', {
      handle: handle ?? null,
      data: b64(Buffer.alloc(MiB + 1)),
    });
    expect(oversized).toMatchObject({ status: 400, body: { error_code: 'MAX_BLOCK_SIZE_EXCEEDED' } });
    const before = await callApi(url, 'GET', '2.0/dbfs/get-status', { path: '/big/file.bin' });
    expect(before).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect((await callApi(url, 'POST', '2.0/dbfs/close', { handle: handle ?? null })).status).toBe(200);
    const after = await callApi(url, 'GET', '2.0/dbfs/get-status', { path: '/big/file.bin' });
    expect(after.body).toMatchObject({ is_dir: false, file_size: 3 * MiB });
    const closedAgain = await callApi(url, 'POST', '2.0/dbfs/close', { handle: handle ?? null });
    expect(closedAgain).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });

  it('refuses create over an existing file without overwrite', async () => {
    await callApi(url, 'POST', '2.0/dbfs/put', { path: '/exists.txt', contents: '' });
    const created = await callApi(url, 'POST', '2.0/dbfs/create', { path: '/exists.txt', overwrite: false });
    expect(created).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
  });

  it('expires a handle after 10 idle minutes', async () => {
    const { body } = await callApi(url, 'POST', '2.0/dbfs/create', { path: '/idle.bin', overwrite: true });
    const handle = body['handle'] ?? null;
    emulator.clock.advance(9 * 60_000);
    expect((await callApi(url, 'POST', '2.0/dbfs/add-block', { handle, data: '' })).status).toBe(200);
    emulator.clock.advance(9 * 60_000);
    expect((await callApi(url, 'POST', '2.0/dbfs/add-block', { handle, data: '' })).status).toBe(200);
    emulator.clock.advance(10 * 60_000);
    const expired = await callApi(url, 'POST', '2.0/dbfs/add-block', { handle, data: '' });
    expect(expired).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });
});

describe('dbfs/delete and mkdirs', () => {
  it('deletes missing paths quietly and non-empty folders only recursively', async () => {
    expect(
      await callApi(url, 'POST', '2.0/dbfs/delete', { path: '/nowhere', recursive: false }),
    ).toMatchObject({
      status: 200,
      body: {},
    });
    await callApi(url, 'POST', '2.0/dbfs/mkdirs', { path: '/tree/sub' });
    await callApi(url, 'POST', '2.0/dbfs/put', { path: '/tree/sub/f', contents: '' });
    const flat = await callApi(url, 'POST', '2.0/dbfs/delete', { path: '/tree', recursive: false });
    expect(flat).toMatchObject({ status: 400, body: { error_code: 'IO_ERROR' } });
    expect(
      (await callApi(url, 'POST', '2.0/dbfs/delete', { path: 'dbfs:/tree', recursive: true })).status,
    ).toBe(200);
    expect((await callApi(url, 'GET', '2.0/dbfs/get-status', { path: '/tree/sub/f' })).status).toBe(404);
  });

  it('refuses a folder through an existing file', async () => {
    await callApi(url, 'POST', '2.0/dbfs/put', { path: '/plain', contents: '' });
    const mkdirs = await callApi(url, 'POST', '2.0/dbfs/mkdirs', { path: '/plain/sub' });
    expect(mkdirs).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
  });
});
