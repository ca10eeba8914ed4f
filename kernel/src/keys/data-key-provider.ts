import type { Logger } from '@valueverse/plugin-sdk';
import { SecretBox } from '../tenancy/secret-box';

/**
 * Where the keys that seal secrets at rest come from, newest first. The default is local: `VV_ENCRYPTION_KEY` (or the
 * data directory's key file). A KMS or Vault transit implementation keeps only wrapped data keys in the environment
 * and unwraps them here at boot (e.g. `kms.decrypt` / `transit/decrypt`), so the plaintext keys exist only in memory;
 * rotation works the same either way (a list, newest first, and the re-seal job).
 */
export interface DataKeyProvider {
  readonly name: string;
  dataKeys(): Promise<Buffer[]>;
}

/** The default provider: the comma-separated `VV_ENCRYPTION_KEY`, else `<dataDir>/encryption.key`. */
export class LocalDataKeyProvider implements DataKeyProvider {
  readonly name = 'local';

  constructor(
    private readonly dataDir: string,
    private readonly envKey?: string,
    private readonly logger?: Pick<Logger, 'warn'>,
  ) {}

  dataKeys(): Promise<Buffer[]> {
    return SecretBox.loadOrCreateKeys(this.dataDir, this.envKey, this.logger);
  }
}
