import { constants, getCompileCacheDir } from 'node:module';
import { compileCache } from './compile-cache';

// The host's CLI enables Node's compile cache before it loads anything else (compile-cache.ts): on by default,
// off when NODE_DISABLE_COMPILE_CACHE=1 says so.
describe('compile cache', () => {
  it('is enabled by the module cli.ts imports first, unless NODE_DISABLE_COMPILE_CACHE is set', () => {
    if (process.env['NODE_DISABLE_COMPILE_CACHE']) {
      expect(compileCache?.status).toBe(constants.compileCacheStatus.DISABLED);
      return;
    }
    expect([constants.compileCacheStatus.ENABLED, constants.compileCacheStatus.ALREADY_ENABLED]).toContain(compileCache?.status);
    expect(getCompileCacheDir()).toContain(compileCache!.directory!);
  });
});
