import { createHash } from 'node:crypto';

/** `sha512-<base64>` of a package file, the form npm lockfiles and the registry's `X-Package-Integrity` use. */
export function packageIntegrity(pkg: Buffer): string {
  return `sha512-${createHash('sha512').update(pkg).digest('base64')}`;
}
