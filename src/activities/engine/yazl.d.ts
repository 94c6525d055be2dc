// Types of the part of yazl (https://github.com/thejoshwolfe/yazl, README "API") that buildDirectoryZip uses;
// the package ships no declarations.
declare module 'yazl' {
  import type { Readable } from 'node:stream';

  export interface EntryOptions {
    mtime?: Date;
    mode?: number;
    compress?: boolean;
    forceDosTimestamp?: boolean;
  }

  export class ZipFile {
    readonly outputStream: Readable;
    addBuffer(buffer: Buffer, metadataPath: string, options?: EntryOptions): void;
    end(): void;
  }
}
