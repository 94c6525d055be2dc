// Test infrastructure: the URL a contract client is given for one emulated workspace.
// The official SDK sets the request path itself (`url.pathname = "/api/..."` in its api-client.js), so it
// needs a workspace at its own origin. Once the emulator serves each workspace at its own origin (issue 11,
// part J) this is emulator.workspaceUrl(name) unchanged; until then a path-rewriting proxy stands in and
// the report says so (usesProxy).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DatabricksEmulator } from '../emulator/DatabricksEmulator';

export interface WorkspaceOrigin {
  url: string;
  usesProxy: boolean;
  close(): Promise<void>;
}

export async function workspaceOrigin(emulator: DatabricksEmulator, name: string): Promise<WorkspaceOrigin> {
  const url = emulator.workspaceUrl(name);
  if (new URL(url).pathname.replace(/\/$/, '') === '') {
    return { url, usesProxy: false, close: async () => undefined };
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = Object.entries(req.headers).filter(([key]) => !['host', 'connection'].includes(key));
      fetch(`${url}${req.url ?? ''}`, {
        method: req.method,
        headers: headers.map(([key, value]) => [key, String(value)]),
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      }).then(
        async (answer) => {
          res.writeHead(answer.status, Object.fromEntries(answer.headers));
          res.end(Buffer.from(await answer.arrayBuffer()));
        },
        () => res.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    usesProxy: true,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
