// Pure: the DBFS get-status answer.

export interface DbfsFileInfo {
  path: string;
  is_dir: boolean;
  file_size: number;
  /** Milliseconds since the epoch. */
  modification_time?: number;
}
