// Test infrastructure: the emulator's workspace-tree rules over real HTTPS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './callApi';
import { DatabricksEmulator } from './DatabricksEmulator';
import type { JsonObject } from './JsonValue';

const MiB = 1024 * 1024;
let emulator: DatabricksEmulator;
let url: string;

beforeAll(async () => {
  emulator = await DatabricksEmulator.start({ rateLimits: false });
  await emulator.addWorkspace('dev');
  url = emulator.workspaceUrl('dev');
});
afterAll(() => emulator.stop());

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');
const importObject = (payload: JsonObject) => callApi(url, 'POST', '2.0/workspace/import', payload);
const status = (path: string) => callApi(url, 'GET', '2.0/workspace/get-status', { path });

describe('workspace/import', () => {
  it('needs the parent folder, then creates a notebook at the exact path', async () => {
    const notebook = {
      path: '/Shared/app/etl/ingest.py',
      format: 'SOURCE',
      language: 'PYTHON',
      content: b64('print(1)'),
    };
    const orphan = await importObject(notebook);
    expect(orphan).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(orphan.body['message']).toContain('The parent folder (/Shared/app/etl) does not exist');
    expect((await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/app/etl' })).status).toBe(
      200,
    );
    expect(await importObject(notebook)).toMatchObject({ status: 200, body: {} });
    expect((await status('/Shared/app/etl/ingest.py')).body).toMatchObject({
      object_type: 'NOTEBOOK',
      path: '/Shared/app/etl/ingest.py',
      language: 'PYTHON',
    });
  });

  it('refuses an existing object without overwrite and keeps the object id with it', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/ow' });
    const first = { path: '/Shared/ow/n', format: 'SOURCE', language: 'SQL', content: b64('select 1') };
    await importObject(first);
    const before = await status('/Shared/ow/n');
    const again = await importObject({ ...first, content: b64('select 2') });
    expect(again).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
    expect((await importObject({ ...first, content: b64('select 2'), overwrite: true })).status).toBe(200);
    const after = await status('/Shared/ow/n');
    expect(after.body['object_id']).toBe(before.body['object_id']);
    expect(emulator.workspace('dev').readFile('/Shared/ow/n')?.toString()).toBe('select 2');
    const exported = await callApi(url, 'GET', '2.0/workspace/export', {
      path: '/Shared/ow/n',
      format: 'SOURCE',
    });
    expect(exported.body).toEqual({ content: b64('select 2') });
  });

  it('limits content to 10 MiB in every format: SOURCE, JUPYTER and workspace files alike', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/size' });
    const exact = {
      path: '/Shared/size/a',
      format: 'SOURCE',
      language: 'PYTHON',
      content: b64(Buffer.alloc(10 * MiB, 35)),
    };
    expect((await importObject(exact)).status).toBe(200);
    const over = { ...exact, path: '/Shared/size/b', content: b64(Buffer.alloc(10 * MiB + 1, 35)) };
    const ipynb = JSON.stringify({ cells: [], padding: 'x'.repeat(10 * MiB) });
    const file = {
      path: '/Shared/size/data.bin',
      format: 'AUTO',
      content: b64(Buffer.alloc(11 * 1000 * 1000)),
    };
    for (const refused of [
      over,
      { path: '/Shared/size/c.ipynb', format: 'JUPYTER', content: b64(ipynb) },
      file,
    ]) {
      expect(await importObject(refused)).toMatchObject({
        status: 400,
        body: { error_code: 'MAX_NOTEBOOK_SIZE_EXCEEDED' },
      });
    }
    expect((await status('/Shared/size/data.bin')).status).toBe(404);
    const smallFile = { ...file, content: b64(Buffer.alloc(10 * MiB)) };
    expect((await importObject(smallFile)).status).toBe(200);
  });

  it('strips .ipynb from JUPYTER imports and makes them PYTHON notebooks', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/nb' });
    const ipynb = JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 });
    expect(
      (await importObject({ path: '/Shared/nb/explore.ipynb', format: 'JUPYTER', content: b64(ipynb) }))
        .status,
    ).toBe(200);
    expect((await status('/Shared/nb/explore')).body).toMatchObject({
      object_type: 'NOTEBOOK',
      language: 'PYTHON',
    });
    expect((await status('/Shared/nb/explore.ipynb')).status).toBe(404);
    expect(Object.keys(emulator.snapshot('dev').notebooks)).toContain('/Shared/nb/explore');
    const broken = await importObject({
      path: '/Shared/nb/broken.ipynb',
      format: 'JUPYTER',
      content: b64('not json'),
    });
    expect(broken).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });

  it('imports AUTO as a workspace file, unless it is an exported source notebook', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/auto' });
    await importObject({ path: '/Shared/auto/lib.py', format: 'AUTO', content: b64('def f(): pass\n') });
    expect((await status('/Shared/auto/lib.py')).body).toMatchObject({ object_type: 'FILE', size: 14 });
    await importObject({
      path: '/Shared/auto/nb.py',
      format: 'AUTO',
      content: b64('# Databricks notebook source\nx = 1\n'),
    });
    expect((await status('/Shared/auto/nb')).body).toMatchObject({
      object_type: 'NOTEBOOK',
      language: 'PYTHON',
    });
  });

  it.each([
    ['SOURCE without language', { path: '/Shared/x', format: 'SOURCE', content: '' }],
    ['an unknown language', { path: '/Shared/x', format: 'SOURCE', language: 'COBOL', content: '' }],
    ['content that is not base64', { path: '/Shared/x', format: 'AUTO', content: '%%%' }],
    ['no content', { path: '/Shared/x', format: 'AUTO' }],
    ['a relative path', { path: 'Shared/x', format: 'AUTO', content: '' }],
  ])('refuses %s', async (_case, payload) => {
    expect(await importObject(payload)).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE' },
    });
  });
});

describe('workspace folders', () => {
  it('starts with /, /Shared and /Users', async () => {
    const root = await callApi(url, 'GET', '2.0/workspace/list', { path: '/' });
    const paths = (root.body['objects'] as JsonObject[]).map((object) => object['path']);
    expect(paths).toEqual(expect.arrayContaining(['/Shared', '/Users']));
  });

  it('lists direct children only, and an empty folder without objects', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Users/a@b.c/deep/deeper' });
    const list = await callApi(url, 'GET', '2.0/workspace/list', { path: '/Users/a@b.c' });
    expect(list.body['objects']).toEqual([
      expect.objectContaining({ object_type: 'DIRECTORY', path: '/Users/a@b.c/deep' }),
    ]);
    expect(
      (await callApi(url, 'GET', '2.0/workspace/list', { path: '/Users/a@b.c/deep/deeper' })).body,
    ).toEqual({});
    const missing = await callApi(url, 'GET', '2.0/workspace/list', { path: '/Users/nobody' });
    expect(missing).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });

  it('refuses mkdirs through a notebook', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/m' });
    await importObject({ path: '/Shared/m/nb', format: 'SOURCE', language: 'R', content: '' });
    const mkdirs = await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/m/nb/sub' });
    expect(mkdirs).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
  });

  it('deletes non-empty folders only recursively, and missing paths are 404', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/del/sub' });
    const flat = await callApi(url, 'POST', '2.0/workspace/delete', {
      path: '/Shared/del',
      recursive: false,
    });
    expect(flat).toMatchObject({ status: 400, body: { error_code: 'DIRECTORY_NOT_EMPTY' } });
    expect(
      (await callApi(url, 'POST', '2.0/workspace/delete', { path: '/Shared/del', recursive: true })).status,
    ).toBe(200);
    expect((await status('/Shared/del/sub')).status).toBe(404);
    const missing = await callApi(url, 'POST', '2.0/workspace/delete', {
      path: '/Shared/del',
      recursive: true,
    });
    expect(missing).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });
});
