import type { ParseArgsConfig } from 'node:util';

/** Where a command reads and writes: the process in `bin/vv-plugin.js`, buffers in tests. */
export interface CliIo {
  /** The folder relative paths are resolved against. */
  readonly cwd: string;
  /** Environment variables (`VV_MARKETPLACE_URL`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  out(line: string): void;
  err(line: string): void;
}

/** Parsed command line of one command: `util.parseArgs` values and positionals. */
export interface CliArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * One `vv-plugin` sub-command. The dispatcher (`vv-plugin.ts`) parses `options` strictly, prints `usage` for
 * `--help`, and turns a thrown VvError into its code and a non-zero exit.
 */
export interface CliCommand {
  readonly name: string;
  /** One line for `vv-plugin --help`. */
  readonly summary: string;
  /** Synopsis and option list for `vv-plugin <name> --help`. */
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** @returns the exit code (0 for success) */
  run(args: CliArgs, io: CliIo): Promise<number>;
}

/** Thrown for a wrong command line: the dispatcher prints the message and the command's usage, exit code 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}
