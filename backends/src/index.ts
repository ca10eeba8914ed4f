// @valueverse/backend-defaults: the production side of the kernel's backend contracts (Backstage's
// backend-defaults is the model). The contracts and their in-memory implementations live in @valueverse/kernel;
// the host picks these when it has a database or Redis. Each passes the kernel's contract suite
// (@valueverse/kernel/testing) in this package's tests or in test/integration.
export { openDatabase, type OpenDatabaseOptions } from './data/open-database';
export { preparePgliteTemplate } from './data/pglite-driver';
export { PostgresKernelStore } from './tenancy/postgres-kernel-store';
export { PostgresIdentityStore } from './identity/postgres-identity-store';
export { PostgresInvitationStore } from './identity/postgres-invitation-store';
export { loadOrCreateSigningKey } from './identity/signing-key-store';
export { RedisAttemptStore, createRedisAttemptStore } from './identity/redis-attempt-store';
export { PostgresAuditStore } from './audit/postgres-audit-store';
export { PostgresIdempotencyStore } from './idempotency/postgres-idempotency-store';
export { RedisChangeFeed } from './plugin-sets/redis-change-feed';
export { RedisEventTransport, type RedisEventTransportOptions } from './events/redis-event-transport';
export { BullJobQueue, type BullJobQueueOptions } from './jobs/bull-job-queue';
export { RedisRateLimiter, createRedisRateLimiter } from './limits/redis-rate-limiter';
export { PostgresInstallStore } from './installs/postgres-install-store';
