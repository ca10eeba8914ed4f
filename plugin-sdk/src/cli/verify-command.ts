import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { inspectPackage } from '../package/inspect-package';
import { keyIdOf } from '../package/key-id-of';
import { verifyPackage } from '../package/verify-package';
import { CliUsageError, type CliCommand } from './cli-command';

/** `vv-plugin verify <file> [--pubkey <file>]`: what a host checks before installing. */
export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'check a package: structure, file hashes, manifest and (with --pubkey) its signature',
  usage: [
    'vv-plugin verify <file> [--pubkey <file>] [--allow-unsigned]',
    '',
    '  --pubkey <file>   a trusted public key (SPKI PEM); the package must be signed by it. Without it the',
    '                    signature is not checked, only reported.',
    '  --allow-unsigned  with --pubkey: accept an unsigned package too, as a host with VV_ALLOW_UNSIGNED_PLUGINS=true',
  ].join('\n'),
  options: { pubkey: { type: 'string' }, 'allow-unsigned': { type: 'boolean' } },
  async run({ positionals, values }, io) {
    if (positionals.length !== 1) throw new CliUsageError('give exactly one package file');
    const pkg = await readFile(resolve(io.cwd, positionals[0]));
    if (typeof values.pubkey === 'string') {
      const publicKeyPem = await readFile(resolve(io.cwd, values.pubkey), 'utf8');
      const verified = await verifyPackage(pkg, { trustedKeys: [{ keyId: keyIdOf(publicKeyPem), publicKeyPem }], allowUnsigned: values['allow-unsigned'] === true });
      io.out(`id ${verified.pluginId}`);
      io.out(`version ${verified.version}`);
      io.out(`signer ${verified.signer === null ? 'unsigned' : verified.signer.keyId}`);
      io.out(`integrity ${verified.integrity}`);
      return 0;
    }
    const inspected = await inspectPackage(pkg);
    io.out(`id ${inspected.pluginId}`);
    io.out(`version ${inspected.version}`);
    io.out(`signer ${inspected.signature === null ? 'unsigned' : `${inspected.signature.keyId} (signature not checked: give --pubkey)`}`);
    io.out(`integrity ${inspected.integrity}`);
    return 0;
  },
};
