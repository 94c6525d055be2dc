// Test infrastructure: one App Service identity endpoint for the whole process, forwarding to the
// current AzureEmulator. MSAL remembers the IDENTITY_ENDPOINT it first saw for the life of the process,
// so successive emulators (one per test) must all be reached through the same address. The proxy is
// transparent to the emulator's injected faults: it passes Retry-After on, and a connection the emulator
// reset is reset here too (not turned into a 502 the client would never see from App Service).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

let server: Server | undefined;
let address: Promise<string> | undefined;
let target: { endpoint: string; header: string } | undefined;

export async function identityEndpointFor(endpoint: string, header: string): Promise<string> {
  target = { endpoint, header };
  address ??= new Promise<string>((resolve, reject) => {
    server = createServer((req, res) => {
      const current = target;
      if (!current) {
        res.writeHead(503).end();
        return;
      }
      const url = new URL(current.endpoint);
      url.search = new URL(req.url ?? '/', 'http://proxy.invalid').search;
      fetch(url, { headers: { 'x-identity-header': current.header } })
        .then(async (answer) => {
          const retryAfter = answer.headers.get('retry-after');
          res.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'application/json',
            ...(retryAfter === null ? {} : { 'retry-after': retryAfter }),
          });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => req.socket.destroy());
    });
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server?.address() as AddressInfo).port}/msi/token`),
    );
  });
  return address;
}
