import type { TarballFile } from './npm-tarball';

/** The parts of package.json an SDK tarball keeps; dependencies on `@valueverse/*` are still versions here. */
export interface PublishedManifest {
  readonly name: string;
  readonly version: string;
  readonly [key: string]: unknown;
}

/** One package served under `R/sdk/`: what goes into its tarball, before the base URL is known. */
export interface SdkPackage {
  readonly name: string;
  readonly version: string;
  /** `valueverse-plugin-sdk-0.1.0.tgz`: npm pack's name for the package. */
  readonly file: string;
  readonly manifest: PublishedManifest;
  /** Every file but package.json, by path relative to `package/`. */
  readonly files: ReadonlyMap<string, TarballFile>;
}

/** npm pack's file name: `@scope/name` at `1.2.3` → `scope-name-1.2.3.tgz`. */
export function tarballFileName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}
