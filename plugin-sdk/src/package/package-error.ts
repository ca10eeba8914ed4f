import { VvError } from '../errors/vv-error';

/** The codes a package check can fail with (see docs/errors.md). */
export type PackageErrorCode = 'VV_PACKAGE_INVALID' | 'VV_PACKAGE_MODIFIED' | 'VV_SIGNATURE_INVALID' | 'VV_SIGNER_UNTRUSTED';

/**
 * Why a plugin package was refused: not a package at all (`VV_PACKAGE_INVALID`), changed after it was packed
 * (`VV_PACKAGE_MODIFIED`), a signature that does not verify or is missing (`VV_SIGNATURE_INVALID`), or a valid
 * signature by a key the caller does not trust (`VV_SIGNER_UNTRUSTED`). `reason` names the entry or key involved.
 *
 * @example
 * try { await verifyPackage(bytes, { trustedKeys }); } catch (e) { if (e instanceof PackageError) console.error(e.code, e.message); }
 */
export class PackageError extends VvError {
  declare readonly code: PackageErrorCode;

  constructor(code: PackageErrorCode, reason: string, extra: Record<string, unknown> = {}, cause?: unknown) {
    // `extra` is shown to clients (problem+json extensions): only key ids and entry paths go there, never key material.
    super(code, { params: { reason, ...extra }, extensions: extra, cause });
  }
}
