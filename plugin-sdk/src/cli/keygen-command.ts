import { resolve } from 'node:path';
import { generateSigningKeyPair } from '../package/generate-signing-key-pair';
import { CliUsageError, type CliCommand } from './cli-command';
import { writeFileAtomic } from './write-file-atomic';

/** `vv-plugin keygen --out <file>`: an Ed25519 key pair, the private half readable by its owner only. */
export const keygenCommand: CliCommand = {
  name: 'keygen',
  summary: 'create an Ed25519 signing key pair (<file> private, <file>.pub public)',
  usage:
    'vv-plugin keygen --out <file>\n\n  --out <file> the private key (PKCS#8 PEM, mode 0600); the public key goes to <file>.pub (SPKI PEM).\n               Existing files are never overwritten.',
  options: { out: { type: 'string', short: 'o' } },
  async run({ values }, io) {
    if (typeof values.out !== 'string') throw new CliUsageError('--out <file> is required');
    const privatePath = resolve(io.cwd, values.out);
    const publicPath = `${privatePath}.pub`;
    const { keyId, privateKeyPem, publicKeyPem } = generateSigningKeyPair();
    await writeFileAtomic(privatePath, privateKeyPem, { mode: 0o600, exclusive: true });
    await writeFileAtomic(publicPath, publicKeyPem, { mode: 0o644, exclusive: true });
    io.out(`keyId ${keyId}`);
    io.out(`private key ${privatePath} (keep it secret)`);
    io.out(`public key  ${publicPath} (register it with the registry; operators trust it)`);
    return 0;
  },
};
