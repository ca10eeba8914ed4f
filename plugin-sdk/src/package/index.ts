// `@valueverse/plugin-sdk/package`: build, sign, verify and unpack plugin packages (Node only). The root entry stays
// free of node:crypto, tar and esbuild so plugins and the browser-safe contract do not load them.
export { PACKAGE_LIMITS } from './package-limits';
export { PackageError, type PackageErrorCode } from './package-error';
export { canonicalJson } from './canonical-json';
export { keyIdOf } from './key-id-of';
export { generateSigningKeyPair, type SigningKeyPair } from './generate-signing-key-pair';
export { MANIFEST_FILE, parsePackageManifestFile, type PackageManifest, type PackageSignature, type PackageManifestFile } from './package-manifest';
export { packageIntegrity } from './package-integrity';
export { readPackageEntries } from './read-package-entries';
export { writePackageTarball } from './write-package-tarball';
export type { VerifiedPackage, InspectedPackage } from './verified-package';
export { inspectPackage } from './inspect-package';
export { verifySignatureWith } from './verify-signature-with';
export { verifyPackage, type TrustedKey, type VerifyPackageOptions } from './verify-package';
export { signPackage } from './sign-package';
export { unpackPackage } from './unpack-package';
export { checkPluginDirectory, type CheckedPluginDirectory } from './check-plugin-directory';
export { HOST_PROVIDED_MODULES, bundlePluginMain } from './bundle-plugin-main';
export { packPluginDirectory } from './pack-plugin-directory';
