import { npmTarball } from './npm-tarball';
import { readTarball } from './__fixtures__/sdk-test-workspace';

describe('npmTarball', () => {
  const long = `dist/${'nested-folder/'.repeat(12)}file.js`;
  const files = new Map([
    ['dist/index.js', { data: Buffer.from('module.exports = 1;\n') }],
    ['package.json', { data: Buffer.from('{"name":"x","version":"1.0.0"}\n') }],
    ['dist/cli.js', { data: Buffer.from('#!/usr/bin/env node\n'), executable: true }],
    [long, { data: Buffer.from('x'.repeat(1500)) }],
  ]);

  it('puts every file under package/, package.json first, with its bytes and mode, paths longer than ustar holds included', async () => {
    const entries = await readTarball(npmTarball(files));
    expect([...entries.keys()]).toEqual(['package/package.json', 'package/dist/cli.js', 'package/dist/index.js', `package/${long}`]);
    expect(long.length).toBeGreaterThan(155);
    expect(entries.get(`package/${long}`)!.text).toBe('x'.repeat(1500));
    expect(entries.get('package/dist/cli.js')!.mode).toBe(0o755);
    expect(entries.get('package/dist/index.js')).toEqual({ text: 'module.exports = 1;\n', mode: 0o644 });
  });

  it('yields the same bytes for the same files, whatever order they were given in', () => {
    expect(npmTarball(new Map([...files].reverse())).equals(npmTarball(files))).toBe(true);
  });
});
