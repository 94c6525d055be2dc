// Pure: what the CLI needs from its host, injected so the sandbox and tests can drive it in-process.

export interface CliIo {
  /** App settings (process.env in production). */
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Current working directory, for relative bundle paths. */
  cwd: string;
}
