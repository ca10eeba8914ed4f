// Imported by cli.ts before anything else of the product: the instrumentations must be in place before Koa, pg and
// ioredis are first required. Tracing off (the default), this loads nothing of OpenTelemetry.
import { startTracing } from './tracing';

startTracing(process.argv[2] === 'worker' ? 'valueverse-worker' : 'valueverse-host');
