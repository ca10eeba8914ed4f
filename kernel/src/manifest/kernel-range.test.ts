import { VvError, type PluginManifest } from '@valueverse/plugin-sdk';
import { checkKernelRange } from './kernel-range';

function manifest(kernel: string): PluginManifest {
  return { id: 'value-committer', version: '1.0.0', displayName: 'Value Committer', kernel, main: 'dist/index.js' };
}

function rejection(range: string, kernelVersion: string): VvError {
  try {
    checkKernelRange(manifest(range), kernelVersion);
  } catch (error) {
    expect(error).toBeInstanceOf(VvError);
    return error as VvError;
  }
  throw new Error(`expected ${range} to reject ${kernelVersion}`);
}

describe('checkKernelRange', () => {
  it.each([
    ['^1.0.0', '1.4.2'],
    ['^1.0.0', '1.0.0'],
    ['^1.0.0', '1.4.2+build.7'],
    ['>=1.2.0 <3', '2.9.9'],
    ['1.x || 2.x', '2.0.0'],
    ['*', '7.0.0'],
    ['^1.5.0-rc.0', '1.5.0-rc.1'],
    ['^1.5.0-rc.0', '1.5.0'],
    ['^1.5.0-rc.0', '1.6.0'],
    ['>=1.5.0-beta.1 <2', '1.5.0-beta.3'],
  ])('%s accepts kernel %s', (range, kernelVersion) => {
    expect(() => checkKernelRange(manifest(range), kernelVersion)).not.toThrow();
  });

  it.each([
    ['^1.0.0', '2.0.0'],
    ['^1.0.0', '0.9.0'],
    ['~1.2.0', '1.3.0'],
    // Pre-release rule: a range without a pre-release of the same tuple never admits a pre-release kernel.
    ['^1.0.0', '1.5.0-rc.1'],
    ['*', '1.0.0-alpha.1'],
    ['^1.5.0-rc.0', '1.6.0-rc.1'],
    ['^1.5.0-rc.2', '1.5.0-rc.1'],
  ])('%s rejects kernel %s', (range, kernelVersion) => {
    const error = rejection(range, kernelVersion);
    expect(error.code).toBe('VV_KERNEL_INCOMPATIBLE');
    expect(error.params).toEqual({ plugin: 'value-committer', range, kernelVersion });
    expect(error.message).toBe(`Plugin "value-committer" requires kernel ${range} but this kernel is ${kernelVersion}`);
    expect(error.errors).toEqual([expect.objectContaining({ pointer: '/kernel', in: 'manifest' })]);
  });

  it('explains the pre-release rule when a pre-release kernel is rejected', () => {
    const error = rejection('^1.0.0', '1.5.0-rc.1');
    expect(error.errors[0]?.message).toMatch(/pre-release kernel 1\.5\.0-rc\.1/);
  });

  it('refuses a kernel version that is not semver as a kernel bug', () => {
    const error = rejection('^1.0.0', 'one');
    expect(error.code).toBe('VV_INTERNAL');
    expect(error.message).toMatch(/"one" is not a semver version/);
  });
});
