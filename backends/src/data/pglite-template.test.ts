import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootPglite } from './pglite-driver';
import { storedTemplate, type PgliteTemplate } from './pglite-template';

// Three PGlite boots (one with initdb): slow on a shared machine.
jest.setTimeout(120_000);

describe('the initdb template of the embedded database', () => {
  let dir: string;
  let template: PgliteTemplate;
  let reads: Array<'hit' | 'miss'>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vv-pglite-template-'));
    const stored = storedTemplate(join(dir, 'cache', 'template.tar.gz'));
    reads = [];
    template = {
      path: stored.path,
      read: async () => {
        const blob = await stored.read();
        reads.push(blob ? 'hit' : 'miss');
        return blob;
      },
      write: (dump) => stored.write(dump),
    };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is written by the first new database, and a later new database starts from it and keeps its data', async () => {
    const first = await bootPglite(join(dir, 'first'), { template });
    await first.close();
    expect(reads).toEqual(['miss']);
    expect(existsSync(template.path)).toBe(true);

    const second = await bootPglite(join(dir, 'second'), { template });
    expect(reads).toEqual(['miss', 'hit']);
    await second.exec("create table notes (id int primary key, body text); insert into notes values (1, 'kept')");
    expect((await second.query('show shared_buffers')).rows).toEqual([{ shared_buffers: '16MB' }]);
    await second.close();

    // An existing database never reads the template: it resumes from its own files.
    const reopened = await bootPglite(join(dir, 'second'), { template });
    try {
      expect(reads).toEqual(['miss', 'hit']);
      expect((await reopened.query('select id, body from notes')).rows).toEqual([{ id: 1, body: 'kept' }]);
    } finally {
      await reopened.close();
    }
  });

  it('runs initdb instead when the stored template is damaged, and replaces it', async () => {
    const damaged = storedTemplate(join(dir, 'damaged', 'template.tar.gz'));
    await damaged.write(new Blob([Buffer.from('not a gzipped tar')]));
    const pglite = await bootPglite(join(dir, 'third'), { template: damaged });
    try {
      expect((await pglite.query<{ n: number }>('select 1 as n')).rows).toEqual([{ n: 1 }]);
    } finally {
      await pglite.close();
    }
    expect((await damaged.read())!.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('serves databases in memory as well', async () => {
    const pglite = await bootPglite('memory://', { template });
    try {
      expect(reads.at(-1)).toBe('hit');
      expect((await pglite.query<{ n: number }>('select 1 as n')).rows).toEqual([{ n: 1 }]);
    } finally {
      await pglite.close();
    }
  });
});
