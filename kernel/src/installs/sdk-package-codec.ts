import { keyIdOf, unpackPackage, verifyPackage } from '@valueverse/plugin-sdk/package';
import type { PackageCodec } from './package-codec';

/** The kernel's package codec: the SDK's package library, the one `vv-plugin` packs and signs with. */
export const sdkPackageCodec: PackageCodec = {
  verify: (pkg, options) => verifyPackage(pkg, options),
  keyIdOf: (publicKeyPem) => keyIdOf(publicKeyPem),
  unpack: (verified, targetDir) => unpackPackage(verified as Parameters<typeof unpackPackage>[0], targetDir),
};
