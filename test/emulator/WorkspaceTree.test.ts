// Test infrastructure: the emulator's workspace-tree rules over real HTTPS.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './callApi';
import { DatabricksEmulator } from './DatabricksEmulator';
import type { JsonObject } from './JsonValue';
import { buildArchive, readArchive } from './notebookFormats';

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
const importSql = (path: string, sql: string) =>
  importObject({ path, format: 'SOURCE', language: 'SQL', content: b64(sql) });
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
    expect(exported.body).toEqual({ content: b64('select 2'), file_type: 'sql' });
  });

  it('limits content to 10 MB of base64 in every format: SOURCE, JUPYTER and workspace files alike', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/size' });
    const exact = {
      path: '/Shared/size/a',
      format: 'SOURCE',
      language: 'PYTHON',
      // 7,500,000 bytes are exactly 10,000,000 characters of base64.
      content: b64(Buffer.alloc(7_500_000, 35)),
    };
    expect(exact.content.length).toBe(10_000_000);
    expect((await importObject(exact)).status).toBe(200);
    // One byte more is four characters more: over the limit, though far under 10 MiB decoded.
    const over = { ...exact, path: '/Shared/size/b', content: b64(Buffer.alloc(7_500_001, 35)) };
    const ipynb = JSON.stringify({ cells: [], padding: 'x'.repeat(8 * MiB) });
    const file = {
      path: '/Shared/size/data.bin',
      format: 'AUTO',
      content: b64(Buffer.alloc(8 * 1000 * 1000)),
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
    const smallFile = { ...file, content: b64(Buffer.alloc(7_500_000)) };
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

describe('workspace/list notebooks_modified_after', () => {
  it('leaves out notebooks modified at or before the time, never folders or files', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/since/sub' });
    const nb = { format: 'SOURCE', language: 'PYTHON', content: b64('print(1)') };
    await importObject({ ...nb, path: '/Shared/since/old' });
    await importObject({ path: '/Shared/since/data.txt', format: 'AUTO', content: b64('x') });
    const cut = Number((await status('/Shared/since/old')).body['modified_at']);
    emulator.clock.advance(1000);
    await importObject({ ...nb, path: '/Shared/since/new' });
    const list = async (query: JsonObject): Promise<unknown[]> =>
      (
        (await callApi(url, 'GET', '2.0/workspace/list', { path: '/Shared/since', ...query })).body[
          'objects'
        ] as JsonObject[] | undefined
      )?.map((object) => object['path']) ?? [];
    expect(await list({})).toEqual([
      '/Shared/since/data.txt',
      '/Shared/since/new',
      '/Shared/since/old',
      '/Shared/since/sub',
    ]);
    expect(await list({ notebooks_modified_after: cut })).toEqual([
      '/Shared/since/data.txt',
      '/Shared/since/new',
      '/Shared/since/sub',
    ]);
    expect(
      await list({
        notebooks_modified_after: Number((await status('/Shared/since/new')).body['modified_at']),
      }),
    ).toEqual(['/Shared/since/data.txt', '/Shared/since/sub']);
  });
});

describe('workspace/export formats', () => {
  const exportAs = (path: string, format?: string) =>
    callApi(url, 'GET', '2.0/workspace/export', { path, ...(format ? { format } : {}) });
  const text = (body: JsonObject): string => Buffer.from(String(body['content']), 'base64').toString('utf8');

  it('exports a notebook as SOURCE, HTML, JUPYTER, DBC and AUTO, and R_MARKDOWN only for R', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/ex' });
    const source = '# Databricks notebook source\nprint(1)\n\n# COMMAND ----------\n\nprint(2)\n';
    await importObject({ path: '/Shared/ex/nb', format: 'SOURCE', language: 'PYTHON', content: b64(source) });
    expect((await exportAs('/Shared/ex/nb')).body).toEqual({ content: b64(source), file_type: 'py' });
    expect((await exportAs('/Shared/ex/nb', 'AUTO')).body).toEqual({ content: b64(source), file_type: 'py' });
    const html = await exportAs('/Shared/ex/nb', 'HTML');
    expect(html.body['file_type']).toBe('html');
    expect(text(html.body)).toMatch(/^<!DOCTYPE html>[\s\S]*<pre>print\(1\)<\/pre>\n<pre>print\(2\)<\/pre>/);
    const jupyter = await exportAs('/Shared/ex/nb', 'JUPYTER');
    expect(jupyter.body['file_type']).toBe('ipynb');
    expect(JSON.parse(text(jupyter.body))).toMatchObject({
      nbformat: 4,
      cells: [
        { cell_type: 'code', source: 'print(1)' },
        { cell_type: 'code', source: 'print(2)' },
      ],
    });
    const dbc = await exportAs('/Shared/ex/nb', 'DBC');
    expect(dbc.body['file_type']).toBe('dbc');
    const [entry] = readArchive(Buffer.from(String(dbc.body['content']), 'base64'));
    expect(entry?.path).toBe('nb.python');
    expect(JSON.parse(entry?.data.toString() ?? '')).toMatchObject({
      commands: [{ command: 'print(1)' }, { command: 'print(2)' }],
    });
    expect(await exportAs('/Shared/ex/nb', 'R_MARKDOWN')).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE' },
    });
    await importObject({ path: '/Shared/ex/r', format: 'SOURCE', language: 'R', content: b64('x <- 1') });
    expect(await exportAs('/Shared/ex/r', 'R_MARKDOWN')).toMatchObject({
      status: 200,
      body: { file_type: 'Rmd' },
    });
    expect(text((await exportAs('/Shared/ex/r', 'R_MARKDOWN')).body)).toBe('```{r}\nx <- 1\n```\n');
    expect(await exportAs('/Shared/ex/nb', 'PDF')).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE' },
    });
  });

  it('exports a folder as a SOURCE zip (notebooks and files) or a DBC (notebooks), and no other way', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/fold/sub' });
    await importSql('/Shared/fold/a', 'select 1');
    await importObject({ path: '/Shared/fold/sub/b.txt', format: 'AUTO', content: b64('hello') });
    const zip = await exportAs('/Shared/fold', 'SOURCE');
    expect(zip).toMatchObject({ status: 200, body: { file_type: 'zip' } });
    const entries = readArchive(Buffer.from(String(zip.body['content']), 'base64'));
    expect(entries.map((e) => [e.path, e.data.toString()])).toEqual([
      ['fold/a.sql', 'select 1'],
      ['fold/sub/b.txt', 'hello'],
    ]);
    const dbc = await exportAs('/Shared/fold', 'DBC');
    expect(dbc.body['file_type']).toBe('dbc');
    expect(readArchive(Buffer.from(String(dbc.body['content']), 'base64')).map((e) => e.path)).toEqual([
      'fold/a.sql',
    ]);
    for (const format of ['HTML', 'JUPYTER', 'R_MARKDOWN']) {
      expect(await exportAs('/Shared/fold', format)).toMatchObject({
        status: 400,
        body: { error_code: 'INVALID_PARAMETER_VALUE' },
      });
    }
    expect((await exportAs('/Shared/fold/sub/b.txt')).body).toEqual({
      content: b64('hello'),
      file_type: 'txt',
    });
  });
});

describe('workspace/import of a folder', () => {
  it('SOURCE without language imports a zip of sources as a folder, refusing zips inside', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/dir' });
    const zip = buildArchive([
      { path: 'proj/etl.py', data: Buffer.from('# Databricks notebook source\nprint(1)\n') },
      { path: 'proj/conf/app.yml', data: Buffer.from('a: 1') },
    ]);
    expect(
      await importObject({ path: '/Shared/dir/proj', format: 'SOURCE', content: b64(zip) }),
    ).toMatchObject({
      status: 200,
    });
    expect((await status('/Shared/dir/proj')).body).toMatchObject({ object_type: 'DIRECTORY' });
    expect((await status('/Shared/dir/proj/etl')).body).toMatchObject({
      object_type: 'NOTEBOOK',
      language: 'PYTHON',
    });
    expect((await status('/Shared/dir/proj/conf/app.yml')).body).toMatchObject({
      object_type: 'FILE',
      size: 4,
    });
    const again = await importObject({ path: '/Shared/dir/proj', format: 'SOURCE', content: b64(zip) });
    expect(again).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
    expect(
      (await importObject({ path: '/Shared/dir/proj', format: 'SOURCE', content: b64(zip), overwrite: true }))
        .status,
    ).toBe(200);
    const nested = buildArchive([{ path: 'x/inner.zip', data: zip }]);
    const refused = await importObject({
      path: '/Shared/dir/nested',
      format: 'SOURCE',
      content: b64(nested),
    });
    expect(refused).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(refused.body['message']).toContain('Zip files within directories are not supported');
    expect((await status('/Shared/dir/nested')).status).toBe(404);
  });

  it('limits a directory import by its base64 content, not by the zip it decodes to', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/bigdir' });
    // 8 MiB that deflate cannot shrink: 8 MiB of bytes decoded, about 10.7 MiB of base64 sent.
    const noise = Buffer.concat(
      Array.from({ length: (8 * MiB) / 32 }, (_, i) => createHash('sha256').update(String(i)).digest()),
    );
    const zip = buildArchive([{ path: 'big/data.py', data: noise }]);
    expect(zip.length).toBeLessThan(10 * MiB);
    expect(b64(zip).length).toBeGreaterThan(10 * MiB);
    const refused = await importObject({ path: '/Shared/bigdir/big', format: 'SOURCE', content: b64(zip) });
    expect(refused).toMatchObject({ status: 400, body: { error_code: 'MAX_NOTEBOOK_SIZE_EXCEEDED' } });
    expect((await status('/Shared/bigdir/big')).status).toBe(404);
    const fits = buildArchive([{ path: 'small/data.py', data: noise.subarray(0, 7 * MiB) }]);
    expect(b64(fits).length).toBeLessThanOrEqual(10_000_000);
    expect(
      (await importObject({ path: '/Shared/bigdir/small', format: 'SOURCE', content: b64(fits) })).status,
    ).toBe(200);
  });

  it('takes the language of each source notebook in a SOURCE zip from its extension and header', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/langs' });
    const zip = buildArchive([
      { path: 'p/a.py', data: Buffer.from('# Databricks notebook source\nprint(1)\n') },
      { path: 'p/b.sql', data: Buffer.from('-- Databricks notebook source\nselect 1\n') },
      { path: 'p/c.scala', data: Buffer.from('// Databricks notebook source\nprintln(1)\n') },
      { path: 'p/d.r', data: Buffer.from('# Databricks notebook source\nprint(1)\n') },
      { path: 'p/plain.py', data: Buffer.from('print(1)\n') },
    ]);
    expect(
      (await importObject({ path: '/Shared/langs/p', format: 'SOURCE', content: b64(zip) })).status,
    ).toBe(200);
    const listed = await callApi(url, 'GET', '2.0/workspace/list', { path: '/Shared/langs/p' });
    expect(
      (listed.body['objects'] as JsonObject[]).map((o) => [
        o['path'],
        o['object_type'],
        o['language'] ?? null,
      ]),
    ).toEqual([
      ['/Shared/langs/p/a', 'NOTEBOOK', 'PYTHON'],
      ['/Shared/langs/p/b', 'NOTEBOOK', 'SQL'],
      ['/Shared/langs/p/c', 'NOTEBOOK', 'SCALA'],
      ['/Shared/langs/p/d', 'NOTEBOOK', 'R'],
      // Without the header a .py is a workspace file, as an AUTO import makes it.
      ['/Shared/langs/p/plain.py', 'FILE', null],
    ]);
  });

  it('refuses SOURCE directory imports, or makes files of them, when the test switch says so', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/fault' });
    const zip = buildArchive([
      { path: 'p/a.py', data: Buffer.from('# Databricks notebook source\nprint(1)\n') },
    ]);
    const tree = emulator.workspace('dev').tree;
    try {
      tree.directoryImportFault = 'refuse';
      const refused = await importObject({ path: '/Shared/fault/p', format: 'SOURCE', content: b64(zip) });
      expect(refused).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
      expect((await status('/Shared/fault/p')).status).toBe(404);
      // A single notebook still imports.
      expect((await importSql('/Shared/fault/q', 'select 1')).status).toBe(200);
      tree.directoryImportFault = 'asFiles';
      expect(
        (await importObject({ path: '/Shared/fault/p', format: 'SOURCE', content: b64(zip) })).status,
      ).toBe(200);
      expect((await status('/Shared/fault/p/a.py')).body).toMatchObject({ object_type: 'FILE' });
      expect((await status('/Shared/fault/p/a')).status).toBe(404);
    } finally {
      tree.directoryImportFault = undefined;
    }
  });

  it('DBC imports a folder exported as DBC, and never overwrites', async () => {
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/dbc/src' });
    await importSql('/Shared/dbc/src/q', 'select 7');
    const dbc = String(
      (await callApi(url, 'GET', '2.0/workspace/export', { path: '/Shared/dbc/src', format: 'DBC' })).body[
        'content'
      ],
    );
    expect(await importObject({ path: '/Shared/dbc/copy', format: 'DBC', content: dbc })).toMatchObject({
      status: 200,
    });
    expect((await status('/Shared/dbc/copy/q')).body).toMatchObject({
      object_type: 'NOTEBOOK',
      language: 'SQL',
    });
    const exported = await callApi(url, 'GET', '2.0/workspace/export', { path: '/Shared/dbc/copy/q' });
    expect(Buffer.from(String(exported.body['content']), 'base64').toString()).toContain('select 7');
    const overwrite = await importObject({
      path: '/Shared/dbc/other',
      format: 'DBC',
      content: dbc,
      overwrite: true,
    });
    expect(overwrite).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    const existing = await importObject({ path: '/Shared/dbc/copy', format: 'DBC', content: dbc });
    expect(existing).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
    const one = String(
      (await callApi(url, 'GET', '2.0/workspace/export', { path: '/Shared/dbc/src/q', format: 'DBC' })).body[
        'content'
      ],
    );
    expect((await importObject({ path: '/Shared/dbc/single', format: 'DBC', content: one })).status).toBe(
      200,
    );
    expect((await status('/Shared/dbc/single')).body).toMatchObject({
      object_type: 'NOTEBOOK',
      language: 'SQL',
    });
  });
});
