// Test infrastructure: stands in for Event Grid's BlobCreated delivery to the app's blob trigger (the
// only blob trigger Flex Consumption supports): it watches a container in Azurite and invokes the trigger
// once per new blob version, with the blob's bytes and the metadata the host would pass. Blobs that
// appeared together are delivered at the same time, not one after another: Event Grid pushes each event
// as its own HTTP delivery, in no guaranteed order ("Event Grid doesn't guarantee order for event
// delivery", learn.microsoft.com/azure/event-grid/delivery-retry), and the host runs them concurrently.
import { BlobServiceClient } from '@azure/storage-blob';
import type { FunctionHost } from './host/FunctionHost';

export class BlobEventPump {
  private readonly seen = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  readonly errors: string[] = [];

  constructor(
    private readonly host: FunctionHost,
    private readonly connectionString: string,
    private readonly container = 'bundles',
    private readonly functionName = 'startReleaseFromBlob',
  ) {}

  start(intervalInMs = 300): void {
    this.timer = setInterval(() => {
      this.running = this.running
        .then(() => this.poll())
        .catch((e: unknown) => void this.errors.push(String(e)));
    }, intervalInMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async poll(): Promise<void> {
    const container = BlobServiceClient.fromConnectionString(this.connectionString).getContainerClient(
      this.container,
    );
    if (!(await container.exists())) return;
    const deliveries: Promise<void>[] = [];
    for await (const item of container.listBlobsFlat({ includeMetadata: true })) {
      const key = `${item.name}@${item.properties.etag ?? ''}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      deliveries.push(
        (async () => {
          const bytes = await container.getBlobClient(item.name).downloadToBuffer();
          await this.host.invokeFunction(this.functionName, bytes, {
            name: item.name,
            blobTrigger: `${this.container}/${item.name}`,
            uri: container.getBlobClient(item.name).url,
            metadata: item.metadata ?? {},
          });
        })().catch((e: unknown) => void this.errors.push(String(e))),
      );
    }
    await Promise.all(deliveries);
  }
}
