import { describeRegistry } from '../../marketplace/src/__fixtures__/registry-suite';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database';
import { describeWithPostgres } from '../support/services';

// The registry suite (publishers, publishing, catalog, downloads, yank) on a PostgreSQL server, in a database of
// its own (other suites share `test`), dropped at the end.
describeWithPostgres('marketplace registry on PostgreSQL', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase('vv_market');
  });
  afterAll(async () => {
    await scratch?.drop();
  });
  describeRegistry('a PostgreSQL server', () => scratch.url);
});
