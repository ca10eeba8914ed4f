import * as semver from 'semver';
import { VvError, type PluginManifest } from '@valueverse/plugin-sdk';

/**
 * Checks that the running kernel is inside the manifest's `kernel` range.
 *
 * Pre-release rule (node-semver's default, `includePrerelease: false`, chosen on purpose): a pre-release kernel such
 * as `1.5.0-rc.1` satisfies a range only when a comparator of that range is itself a pre-release of the same
 * `major.minor.patch` (`^1.5.0-rc.0` accepts `1.5.0-rc.1`). A plugin that says `^1.0.0` has promised to work with
 * released 1.x kernels, not with a release candidate whose API may still change, so `^1.0.0` rejects `1.5.0-rc.1`
 * (and `2.0.0`) while accepting `1.4.2`. Build metadata (`+sha`) is ignored, as semver specifies.
 *
 * @throws VvError `VV_KERNEL_INCOMPATIBLE` (params `plugin`, `range`, `kernelVersion`; pointer `/kernel`)
 * @throws VvError `VV_INTERNAL` when `kernelVersion` itself is not a semver version (a kernel bug, not the plugin's)
 */
export function checkKernelRange(manifest: PluginManifest, kernelVersion: string): void {
  if (semver.valid(kernelVersion) === null) {
    throw new VvError('VV_INTERNAL', { detail: `Kernel version "${kernelVersion}" is not a semver version` });
  }
  if (semver.satisfies(kernelVersion, manifest.kernel, { includePrerelease: false })) return;
  const prerelease = semver.prerelease(kernelVersion) !== null;
  throw new VvError('VV_KERNEL_INCOMPATIBLE', {
    params: { plugin: manifest.id, range: manifest.kernel, kernelVersion },
    errors: [
      {
        pointer: '/kernel',
        in: 'manifest',
        message: prerelease
          ? `"${manifest.kernel}" does not include pre-release kernel ${kernelVersion}; only a range naming a pre-release of the same version does`
          : `"${manifest.kernel}" does not include kernel ${kernelVersion}`,
      },
    ],
  });
}
