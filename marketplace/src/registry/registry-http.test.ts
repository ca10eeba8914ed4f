import { describeRegistry } from '../__fixtures__/registry-suite';

// The registry over real HTTP on the embedded database (PGlite in memory); the same suite runs on a PostgreSQL
// server in test/integration/marketplace-registry-postgres.test.ts.
describeRegistry('the embedded database', () => undefined);
