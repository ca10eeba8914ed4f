import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isVvError } from '../errors/vv-error';
import { CliUsageError, type CliCommand, type CliIo } from './cli-command';
import { createCommand } from './create-command';
import { keygenCommand } from './keygen-command';
import { packCommand } from './pack-command';
import { publishCommand } from './publish-command';
import { signCommand } from './sign-command';
import { validateCommand } from './validate-command';
import { verifyCommand } from './verify-command';

/** The sub-commands, in the order `--help` lists them. A new command is one import and one entry here. */
export const vvPluginCommands: readonly CliCommand[] = [createCommand, validateCommand, packCommand, keygenCommand, signCommand, verifyCommand, publishCommand];

function sdkVersion(): string {
  // src/cli and dist/cli are both two levels below the package root.
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

function overview(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'vv-plugin: create, check, pack, sign and publish ValueVerse plugins',
    '',
    'usage: vv-plugin <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'vv-plugin <command> --help shows the options of one command.',
  ].join('\n');
}

/** Prints a failure as its code and message (a VvError's field problems one per line); never a stack trace for those. */
function report(error: unknown, io: CliIo): void {
  if (isVvError(error)) {
    io.err(`error ${error.code}: ${error.message}`);
    for (const problem of error.errors) io.err(`  ${problem.pointer || '(root)'} ${problem.message}`);
    return;
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && (error as NodeJS.ErrnoException).syscall !== undefined) {
    io.err(`error ${code}: ${(error as Error).message}`);
    return;
  }
  io.err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}

/**
 * Runs `vv-plugin` with the arguments after the program name.
 *
 * @returns the exit code: 0 success, 1 the command failed (the error code is printed), 2 a wrong command line
 */
export async function runVvPlugin(argv: readonly string[], io: CliIo, commands: readonly CliCommand[] = vvPluginCommands): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    io.out(topic ? topic.usage : overview(commands));
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(sdkVersion());
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`error: unknown command "${name}"\n`);
    io.err(overview(commands));
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({ args: [...rest], options: command.options, allowPositionals: true, strict: true });
    return await command.run({ values: values as Record<string, string | boolean | undefined>, positionals }, io);
  } catch (error) {
    const usageError = error instanceof CliUsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS_');
    if (usageError) {
      io.err(`error: ${(error as Error).message}\n`);
      io.err(command.usage);
      return 2;
    }
    report(error, io);
    return 1;
  }
}

/** The process side of `bin/vv-plugin.js`. */
export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
}
