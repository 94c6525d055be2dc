// Types of the part of yazl (https://github.com/thejoshwolfe/yazl, README "API") that buildDirectoryZip uses;
// the package ships no declarations.
declare module 'yazl' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';

  export interface EntryOptions {
    mtime?: Date;
    mode?: number;
    compress?: boolean;
    forceDosTimestamp?: boolean;
    /** The entry's uncompressed size when known (addReadStreamLazy): a stream of another length is an error. */
    size?: number;
  }

  /** Emits 'error' when an entry's stream fails or has another size than `options.size`. */
  export class ZipFile extends EventEmitter {
    readonly outputStream: Readable;
    addBuffer(buffer: Buffer, metadataPath: string, options?: EntryOptions): void;
    /** Asks for the entry's stream only when the zip reaches it ("addReadStreamLazy" in the README). */
    addReadStreamLazy(
      metadataPath: string,
      options: EntryOptions,
      getReadStream: (callback: (error: Error | null, stream?: Readable) => void) => void,
    ): void;
    end(): void;
  }
}
