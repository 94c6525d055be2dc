// Test infrastructure: instance records as JSON blobs in Azurite, so that a host started again on the same
// Azurite location resumes every unfinished orchestration. Writes for one instance are serialized and
// coalesced: each write serializes the record as it is when the write starts.
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { InstanceRecord } from './InstanceRecord';

interface WriteSlot {
  tail: Promise<void>;
  queued: Promise<void> | undefined;
}

export class DurableStore {
  private readonly slots = new Map<string, WriteSlot>();
  private closed = false;

  private constructor(
    private readonly container: ContainerClient,
    private readonly prefix: string,
  ) {}

  static async open(connectionString: string, containerName: string, taskHub: string): Promise<DurableStore> {
    const container =
      BlobServiceClient.fromConnectionString(connectionString).getContainerClient(containerName);
    await container.createIfNotExists();
    return new DurableStore(container, `${taskHub}/instances/`);
  }

  async loadAll(): Promise<InstanceRecord[]> {
    const records: InstanceRecord[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix: this.prefix })) {
      const buffer = await this.container.getBlobClient(blob.name).downloadToBuffer();
      records.push(JSON.parse(buffer.toString('utf8')) as InstanceRecord);
    }
    return records;
  }

  /** Resolves once a write that includes the record's current state has finished. */
  save(record: InstanceRecord): Promise<void> {
    const slot = this.slot(record.instanceId);
    if (slot.queued) return slot.queued;
    const write = slot.tail.then(async () => {
      slot.queued = undefined;
      if (this.closed) return;
      const body = JSON.stringify(record);
      await this.container
        .getBlockBlobClient(this.blobName(record.instanceId))
        .upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: 'application/json' } });
    });
    slot.queued = write;
    slot.tail = write.catch(() => {});
    return write;
  }

  async delete(instanceId: string): Promise<void> {
    const slot = this.slot(instanceId);
    const remove = slot.tail.then(async () => {
      if (!this.closed) await this.container.getBlobClient(this.blobName(instanceId)).deleteIfExists();
    });
    slot.tail = remove.catch(() => {});
    await remove;
  }

  /** Waits for every started write, then refuses further writes (a stopped host writes nothing). */
  async close(): Promise<void> {
    await Promise.all([...this.slots.values()].map((s) => s.tail));
    this.closed = true;
  }

  private slot(instanceId: string): WriteSlot {
    let slot = this.slots.get(instanceId);
    if (!slot) {
      slot = { tail: Promise.resolve(), queued: undefined };
      this.slots.set(instanceId, slot);
    }
    return slot;
  }

  private blobName(instanceId: string): string {
    return `${this.prefix}${encodeURIComponent(instanceId)}.json`;
  }
}
