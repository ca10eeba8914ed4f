import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { rawTarball, type RawEntry } from './__fixtures__/raw-tarball';
import { PACKAGE_LIMITS } from './package-limits';
import { readPackageEntries } from './read-package-entries';
import { writePackageTarball } from './write-package-tarball';

async function refusal(pkg: Buffer): Promise<{ code: string; message: string }> {
  try {
    await readPackageEntries(pkg);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected readPackageEntries to refuse the package');
}

const ok: RawEntry = { path: 'package/plugin.json', body: '{}' };

describe('readPackageEntries', () => {
  it('reads files into memory by path relative to package/, skipping directory entries', async () => {
    const files = await readPackageEntries(rawTarball([{ path: 'package/', type: 'Directory' }, ok, { path: 'package/lib/a.js', body: 'a' }]));
    expect([...files.keys()]).toEqual(['plugin.json', 'lib/a.js']);
    expect(files.get('lib/a.js')?.toString()).toBe('a');
  });

  it('reads what writePackageTarball writes, long paths included', async () => {
    const long = `${'deep/'.repeat(60)}file.js`;
    const files = new Map([
      ['plugin.json', Buffer.from('{}')],
      [long, Buffer.from('x'.repeat(1000))],
    ]);
    expect(await readPackageEntries(writePackageTarball(files))).toEqual(files);
  });

  it.each([
    ['a parent-directory segment', 'package/../evil.js'],
    ['a nested parent-directory segment', 'package/lib/../../evil.js'],
    ['an absolute path', '/etc/passwd'],
    ['a path outside package/', 'other/index.js'],
    ['a backslash', 'package/lib\\..\\..\\evil.js'],
    ['a drive letter', 'package/C:/evil.js'],
    ['an empty segment', 'package/lib//a.js'],
  ])('refuses %s', async (_, path) => {
    await expect(refusal(rawTarball([ok, { path, body: 'x' }]))).resolves.toMatchObject({ code: 'VV_PACKAGE_INVALID' });
  });

  it.each([
    ['a symbolic link', { path: 'package/link.js', type: 'SymbolicLink', linkpath: '/etc/passwd' }],
    ['a hard link', { path: 'package/link.js', type: 'Link', linkpath: 'package/plugin.json' }],
    ['a character device', { path: 'package/dev', type: 'CharacterDevice', devmaj: 1, devmin: 3 }],
    ['a block device', { path: 'package/dev', type: 'BlockDevice', devmaj: 8, devmin: 0 }],
    ['a FIFO', { path: 'package/fifo', type: 'FIFO' }],
  ] as [string, RawEntry][])('refuses %s', async (_, entry) => {
    const error = await refusal(rawTarball([ok, entry]));
    expect(error.code).toBe('VV_PACKAGE_INVALID');
    expect(error.message).toContain(entry.type as string);
  });

  it('refuses a path given twice (the second would silently replace the first on disk)', async () => {
    await expect(refusal(rawTarball([ok, ok]))).resolves.toMatchObject({ code: 'VV_PACKAGE_INVALID' });
  });

  it('refuses what is not a gzip tar', async () => {
    await expect(refusal(Buffer.from('{"not":"a package"}'))).resolves.toMatchObject({ code: 'VV_PACKAGE_INVALID' });
    await expect(refusal(gzipSync(Buffer.from('plain text, not a tar archive'.repeat(40))))).resolves.toMatchObject({ code: 'VV_PACKAGE_INVALID' });
    const whole = rawTarball([ok, { path: 'package/big.js', body: randomBytes(20000) }]);
    await expect(refusal(whole.subarray(0, whole.length - 5000))).resolves.toMatchObject({ code: 'VV_PACKAGE_INVALID' });
  });

  it('refuses an uncompressed tar', async () => {
    const { gunzipSync } = await import('node:zlib');
    await expect(refusal(gunzipSync(rawTarball([ok])))).resolves.toMatchObject({ code: 'VV_PACKAGE_INVALID', message: expect.stringContaining('gzip') });
  });

  it(`refuses a package file over ${PACKAGE_LIMITS.maxPackageBytes} bytes before reading it`, async () => {
    const big = Buffer.alloc(PACKAGE_LIMITS.maxPackageBytes + 1);
    big[0] = 0x1f;
    big[1] = 0x8b;
    await expect(refusal(big)).resolves.toMatchObject({ code: 'VV_PACKAGE_INVALID', message: expect.stringContaining('limit') });
  });

  it('refuses an entry whose header announces more than the unpacked limit, before its body is read', async () => {
    await expect(refusal(rawTarball([ok, { path: 'package/huge.bin', size: PACKAGE_LIMITS.maxUnpackedBytes + 1 }]))).resolves.toMatchObject({
      code: 'VV_PACKAGE_INVALID',
      message: expect.stringContaining('unpacked'),
    });
  });

  it(`refuses more than ${PACKAGE_LIMITS.maxUnpackedBytes} bytes unpacked from a package under the packed limit`, async () => {
    // 10 MB that does not compress plus 95 MB that does: about 10 MB packed, 105 MB unpacked.
    const pkg = rawTarball([ok, { path: 'package/noise.bin', body: randomBytes(10 * 1024 * 1024) }, { path: 'package/zeros.bin', body: Buffer.alloc(95 * 1024 * 1024) }]);
    expect(pkg.length).toBeLessThan(PACKAGE_LIMITS.maxPackageBytes);
    await expect(refusal(pkg)).resolves.toMatchObject({ code: 'VV_PACKAGE_INVALID', message: expect.stringContaining('unpacked') });
  });

  it(`refuses more than ${PACKAGE_LIMITS.maxEntries} entries`, async () => {
    const entries: RawEntry[] = Array.from({ length: PACKAGE_LIMITS.maxEntries + 1 }, (_, i) => ({ path: `package/f${i}.txt`, body: '' }));
    await expect(refusal(rawTarball(entries))).resolves.toMatchObject({ code: 'VV_PACKAGE_INVALID', message: expect.stringContaining('entries') });
    await expect(readPackageEntries(rawTarball(entries.slice(0, PACKAGE_LIMITS.maxEntries)))).resolves.toHaveProperty('size', PACKAGE_LIMITS.maxEntries);
  });
});
