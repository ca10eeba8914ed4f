import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { keyIdOf } from '../package/key-id-of';
import { signPackage } from '../package/sign-package';
import { CliUsageError, type CliCommand } from './cli-command';
import { writeFileAtomic } from './write-file-atomic';

/** `vv-plugin sign <file> --key <file>`: signs a package in place (or into `--out`). */
export const signCommand: CliCommand = {
  name: 'sign',
  summary: 'sign a package with an Ed25519 private key',
  usage:
    'vv-plugin sign <file> --key <file> [--out <file>]\n\n  <file>       the package (.vvpkg); replaced by the signed package unless --out is given\n  --key <file> the private key (from vv-plugin keygen)',
  options: { key: { type: 'string', short: 'k' }, out: { type: 'string', short: 'o' } },
  async run({ positionals, values }, io) {
    if (positionals.length !== 1) throw new CliUsageError('give exactly one package file');
    if (typeof values.key !== 'string') throw new CliUsageError('--key <file> is required');
    const file = resolve(io.cwd, positionals[0]);
    const privateKeyPem = await readFile(resolve(io.cwd, values.key), 'utf8');
    const signed = await signPackage(await readFile(file), privateKeyPem);
    const out = typeof values.out === 'string' ? resolve(io.cwd, values.out) : file;
    await writeFileAtomic(out, signed);
    io.out(`signed ${out} with key ${keyIdOf(privateKeyPem)}`);
    return 0;
  },
};
