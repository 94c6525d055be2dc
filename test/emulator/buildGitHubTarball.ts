// Test infrastructure: a tarball shaped like GitHub's (git archive): a `pax_global_header` entry whose
// comment is the commit id, then every folder and file under one top folder `<owner>-<repo>-<sha7>/`.
import { gzipSync } from 'node:zlib';
import { Header, type HeaderData } from 'tar';
import type { RepoFile } from './collectRepoFiles';

const BLOCK = 512;

export function buildGitHubTarball(topFolder: string, commit: string, files: readonly RepoFile[]): Buffer {
  const mtime = new Date('2026-11-20T10:00:00Z');
  const blocks: Buffer[] = [];
  const add = (data: HeaderData, body?: Buffer): void => {
    const header = new Header({ uid: 0, gid: 0, uname: 'root', gname: 'root', mtime, ...data });
    if (header.encode()) throw new Error(`fixture path too long for a ustar header: ${header.path}`);
    blocks.push(header.block as Buffer);
    if (body) blocks.push(body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK));
  };
  // Pax record: "<length> comment=<sha>\n", where length counts the whole record including itself.
  const record = `comment=${commit}\n`;
  let length = record.length + 2;
  while (`${length} ${record}`.length !== length) length += 1;
  const pax = Buffer.from(`${length} ${record}`);
  add({ path: 'pax_global_header', type: 'GlobalExtendedHeader', mode: 0o666, size: pax.length }, pax);
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  add({ path: `${topFolder}/`, type: 'Directory', mode: 0o775, size: 0 });
  const entries = [
    ...[...folders].map((path) => ({ path: `${path}/`, data: undefined })),
    ...files.map((f) => ({ path: f.path, data: f.data })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const entry of entries) {
    const path = `${topFolder}/${entry.path}`;
    if (entry.data) add({ path, type: 'File', mode: 0o664, size: entry.data.length }, entry.data);
    else add({ path, type: 'Directory', mode: 0o775, size: 0 });
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(blocks));
}
