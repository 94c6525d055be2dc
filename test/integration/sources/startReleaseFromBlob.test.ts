// Uploads end to end against Azurite: stageArchive gives an archive the id of the folder it was packed from
// (tar.gz, zip, GitHub and Azure Repos layouts), and the blob trigger's handler stages an upload and starts
// its release through a real DurableClient, talking to a recording stand-in of the Durable extension's API.
import { BlobServiceClient } from '@azure/storage-blob';
import { InvocationContext, type LogLevel } from '@azure/functions';
import * as df from 'durable-functions';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { create as createTar } from 'tar';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseStorage } from '../../../src/azure/ReleaseStorage';
import {
  startReleaseFromBlob,
  startReleaseFromBlobOptions,
} from '../../../src/functions/startReleaseFromBlob';
import { ArchiveRejectedError } from '../../../src/sources/ArchiveRejectedError';
import { digestFolder } from '../../../src/sources/digestFolder';
import { stageArchive } from '../../../src/sources/stageArchive';
import { stageBundle } from '../../../src/sources/stageBundle';
import { Azurite } from '../../emulator/Azurite';
import { durableClientInput } from '../../sandbox/host/durableClientInput';
import { tarGz, zipArchive, type TarEntrySpec } from '../../unit/sources/craftArchives';

const REPO = resolve(__dirname, '..', '..', '..');
const ARTIFACTS = join(REPO, 'artifacts');

let azurite: Azurite;
let work: string;
let artifactFiles: { path: string; data: Buffer }[];

beforeAll(async () => {
  azurite = await Azurite.start();
  work = mkdtempSync(join(tmpdir(), 'bricklane-upload-test-'));
  artifactFiles = (await digestFolder(ARTIFACTS)).map((f) => ({
    path: f.path,
    data: readFileSync(join(ARTIFACTS, f.path)),
  }));
});
afterAll(async () => {
  await azurite?.stop();
  rmSync(work, { recursive: true, force: true });
});

function write(name: string, bytes: Buffer): string {
  const path = join(work, name);
  writeFileSync(path, bytes);
  return path;
}

describe('stageArchive against Azurite', () => {
  let storage: ReleaseStorage;
  let expected: string;
  beforeAll(async () => {
    storage = new ReleaseStorage(
      BlobServiceClient.fromConnectionString(azurite.connectionString),
      'stage-archive',
    );
    expected = (await stageBundle(storage, ARTIFACTS)).bundleId;
  });

  const blobCount = async (): Promise<number> => {
    let n = 0;
    for await (const _ of storage.container.listBlobsFlat()) n += 1;
    return n;
  };

  it('a tar.gz of the folder’s content gets the folder’s id (and uploads nothing new)', async () => {
    const archive = join(work, 'content.tar.gz');
    await createTar({ gzip: true, cwd: ARTIFACTS, file: archive, portable: true }, ['.']);
    expect(await stageArchive(storage, archive)).toEqual({
      bundleId: expected,
      files: artifactFiles.length,
      uploaded: false,
    });
  });

  it('a tar.gz of the folder itself (one top folder) gets the same id', async () => {
    const archive = join(work, 'folder.tgz');
    await createTar({ gzip: true, cwd: REPO, file: archive, portable: true }, ['artifacts']);
    expect((await stageArchive(storage, archive, { subfolder: '' })).bundleId).toBe(expected);
    expect((await stageArchive(storage, archive, { subfolder: 'artifacts' })).bundleId).toBe(expected);
  });

  it('a zip of the folder’s content gets the same id', async () => {
    const zip = zipArchive(artifactFiles.map((f) => ({ name: f.path, data: f.data, descriptor: true })));
    expect((await stageArchive(storage, write('content.zip', zip))).bundleId).toBe(expected);
  });

  it('a GitHub tarball (owner-repo-sha/ + pax_global_header) with subfolder "artifacts"', async () => {
    const top = 'contoso-bricks-0123abc';
    const entries: TarEntrySpec[] = [
      { path: 'pax_global_header', globalComment: '0123abc'.padEnd(40, '0') },
      { path: `${top}/`, type: 'Directory' },
      { path: `${top}/README.md`, data: '# repository readme, outside the bundle\n' },
      ...artifactFiles.map((f) => ({ path: `${top}/artifacts/${f.path}`, data: f.data })),
    ];
    const archive = write('github.tar.gz', tarGz(entries));
    expect((await stageArchive(storage, archive, { subfolder: 'artifacts' })).bundleId).toBe(expected);
  });

  it('an Azure Repos zip download (the folder at the root) with subfolder "artifacts/"', async () => {
    const zip = zipArchive([
      { name: 'artifacts/' },
      ...artifactFiles.map((f) => ({ name: `artifacts/${f.path}`, data: f.data, descriptor: true })),
    ]);
    const archive = write('azure-repos.zip', zip);
    expect((await stageArchive(storage, archive, { subfolder: 'artifacts/' })).bundleId).toBe(expected);
  });

  it('names a missing subfolder, and a rejected archive stages nothing', async () => {
    const before = await blobCount();
    const archive = write('other.tar.gz', tarGz([{ path: 'repo/src/main.py', data: 'print(1)\n' }]));
    const missing = await stageArchive(storage, archive, { subfolder: 'artifacts' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ArchiveRejectedError);
    expect((missing as ArchiveRejectedError).code).toBe('MissingFolder');
    expect((missing as Error).message).toMatch(/no folder "artifacts".*inside "repo\/"/);
    const evil = write('evil.zip', zipArchive([{ name: '../evil.py', data: 'x' }]));
    await expect(stageArchive(storage, evil)).rejects.toMatchObject({ code: 'PathTraversal' });
    expect(await blobCount()).toBe(before);
  });
});

interface DurableCall {
  method: string;
  path: string;
  body: string;
}

/** The Durable extension's local RPC API, as far as beginRelease uses it: status, and start. */
async function startDurableStandIn(): Promise<{ server: Server; calls: DurableCall[]; baseUrl: string }> {
  const calls: DurableCall[] = [];
  const started = new Map<string, unknown>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/durabletask\//, '');
      calls.push({ method: req.method ?? '', path, body });
      const [kind, name, id] = path.split('/').map(decodeURIComponent);
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && kind === 'instances' && name !== undefined) {
        if (!started.has(name)) return res.writeHead(404).end();
        const now = new Date().toISOString();
        return res.writeHead(200).end(
          JSON.stringify({
            name: 'deployRelease',
            instanceId: name,
            createdTime: now,
            lastUpdatedTime: now,
            input: started.get(name),
            output: null,
            runtimeStatus: 'Running',
          }),
        );
      }
      if (req.method === 'POST' && kind === 'orchestrators' && id !== undefined) {
        started.set(id, JSON.parse(body) as unknown);
        return res.writeHead(202).end(JSON.stringify({ id }));
      }
      res.writeHead(500).end(JSON.stringify({ error: `unexpected ${req.method} ${path}` }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { server, calls, baseUrl: `http://127.0.0.1:${port}/durabletask/` };
}

describe('startReleaseFromBlob (the blob trigger handler)', () => {
  let durable: Awaited<ReturnType<typeof startDurableStandIn>>;
  const saved = new Map<string, string | undefined>();
  const settings: Record<string, string> = {
    BRICKLANE_LEDGER_CONNECTION: '',
    BRICKLANE_ENVIRONMENTS: 'dev,qa',
    BRICKLANE_DEV_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001',
    BRICKLANE_QA_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000002',
    BRICKLANE_PUBLIC_URL: 'https://bricklane.example',
  };
  let logs: { level: LogLevel; message: string }[];

  beforeAll(async () => {
    durable = await startDurableStandIn();
    settings.BRICKLANE_LEDGER_CONNECTION = azurite.connectionString;
    for (const [key, value] of Object.entries(settings)) {
      saved.set(key, process.env[key]);
      process.env[key] = value;
    }
  });
  afterAll(async () => {
    for (const [key, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
    await new Promise((done) => durable?.server.close(done));
  });
  beforeEach(() => {
    logs = [];
    durable.calls.length = 0;
  });

  function invocation(name: string, metadata: Record<string, string> = {}): InvocationContext {
    const input = df.input.durableClient();
    const context = new InvocationContext({
      functionName: 'startReleaseFromBlob',
      triggerMetadata: { name, blobTrigger: `bundles/${name}`, metadata },
      options: { trigger: { type: 'blobTrigger', name: 'blob' }, extraInputs: [input] },
      logHandler: (level, ...args) => logs.push({ level, message: args.map(String).join(' ') }),
    });
    context.extraInputs.set(
      input,
      durableClientInput({
        publicOrigin: 'http://127.0.0.1:1',
        rpcBaseUrl: durable.baseUrl,
        taskHubName: 'test',
        systemKey: 'not-a-secret',
      }),
    );
    return context;
  }

  const archive = (): Promise<Buffer> =>
    createTar({ gzip: true, cwd: ARTIFACTS, file: join(work, 'upload.tar.gz'), portable: true }, ['.']).then(
      () => readFileSync(join(work, 'upload.tar.gz')),
    );

  it('is registered for bundles/{name} from Event Grid, with the durable client', () => {
    expect(startReleaseFromBlobOptions).toMatchObject({
      path: 'bundles/{name}',
      connection: 'AzureWebJobsStorage',
      source: 'EventGrid',
      handler: startReleaseFromBlob,
    });
    expect(startReleaseFromBlobOptions.extraInputs?.map((b) => b.type)).toEqual(['durableClient']);
  });

  it('stages an upload and starts its release with the metadata as source; a second upload starts nothing', async () => {
    const bytes = await archive();
    const metadata = { commit: 'ABCDEF0123456789', ref: 'refs/heads/main', requestedby: 'ci@contoso' };
    await startReleaseFromBlob(bytes, invocation('build-42.tar.gz', metadata));
    const start = durable.calls.find((c) => c.method === 'POST');
    expect(start?.path).toMatch(/^orchestrators\/deployRelease\/release-abcdef0123-/);
    const input = JSON.parse(start?.body ?? '{}') as Record<string, unknown>;
    const expected = await stageBundle(
      new ReleaseStorage(BlobServiceClient.fromConnectionString(azurite.connectionString)),
      ARTIFACTS,
    );
    // Already there: the handler staged it in the release container the activities read from.
    expect(expected.uploaded).toBe(false);
    expect(input).toMatchObject({
      bundleId: expected.bundleId,
      environments: ['dev', 'qa'],
      source: {
        kind: 'upload',
        commit: 'abcdef0123456789',
        ref: 'refs/heads/main',
        requestedBy: 'ci@contoso',
      },
    });
    expect(logs.find((l) => l.level === 'information')?.message).toMatch(
      /bundles\/build-42\.tar\.gz: started release release-abcdef0123-.* https:\/\/bricklane\.example\/api\/releases\//,
    );

    durable.calls.length = 0;
    logs = [];
    await startReleaseFromBlob(bytes, invocation('build-42-again.tgz', metadata));
    expect(durable.calls.map((c) => c.method)).toEqual(['GET']);
    expect(logs.map((l) => l.message).join('\n')).toMatch(/released before as release-abcdef0123-.*Running/);
  });

  it('logs a rejected archive as an error and starts nothing, without throwing (no pointless retries)', async () => {
    const evil = tarGz([{ path: 'link', type: 'SymbolicLink', linkpath: '/etc/passwd' }]);
    await expect(startReleaseFromBlob(evil, invocation('evil.tar.gz'))).resolves.toBeUndefined();
    expect(durable.calls).toEqual([]);
    expect(logs).toEqual([
      {
        level: 'error',
        message: expect.stringMatching(/bundles\/evil\.tar\.gz starts no release: .*\(Link\).*"link"/),
      },
    ]);
  });

  it('refuses a 56 KB zip bomb after at most 16 MiB unpacked, logs why, and starts nothing (issue 10)', async () => {
    const zeros = Buffer.alloc(1024 * 1024);
    const bomb = zipArchive([
      { name: 'notebooks/e0.py', data: zeros },
      ...Array.from({ length: 1099 }, (_, i) => ({
        name: `notebooks/e${i + 1}.py`,
        data: zeros,
        sameDataAs: 0,
      })),
    ]);
    expect(bomb.length).toBeLessThan(100 * 1024);
    await expect(startReleaseFromBlob(bomb, invocation('bomb.zip'))).resolves.toBeUndefined();
    expect(durable.calls).toEqual([]);
    expect(logs).toEqual([
      {
        level: 'error',
        message: expect.stringMatching(
          /^bundles\/bomb\.zip starts no release: archive rejected \(TooLarge\): the archive unpacks to more than 16777216 bytes/,
        ),
      },
    ]);
  });

  it('ignores other names, refuses oversize uploads before unpacking, and drops a commit that is no commit', async () => {
    await startReleaseFromBlob(Buffer.from('hello'), invocation('notes.txt'));
    expect(logs.map((l) => l.level)).toEqual(['information']);
    expect(logs[0]?.message).toMatch(/ignored/);

    logs = [];
    await startReleaseFromBlob(Buffer.alloc(200 * 1024 * 1024 + 1), invocation('huge.zip'));
    expect(logs).toEqual([
      { level: 'error', message: expect.stringMatching(/over the 200\.0 MB upload limit/) },
    ]);

    logs = [];
    const bytes = tarGz([{ path: 'notebooks/other.py', data: '# Databricks notebook source\n' }]);
    await startReleaseFromBlob(bytes, invocation('other.tar.gz', { Commit: 'main; rm -rf /' }));
    expect(logs.find((l) => l.level === 'warning')?.message).toMatch(/not a git commit id/);
    const input = JSON.parse(durable.calls.find((c) => c.method === 'POST')?.body ?? '{}') as {
      source: object;
    };
    expect(input.source).toEqual({ kind: 'upload' });
    expect(durable.calls).toHaveLength(2);
  });
});
