// `@valueverse/kernel/testing` (source only, for jest): the contract suites every implementation of a kernel
// backend contract must pass. The kernel runs them on its in-memory implementations; @valueverse/backend-defaults
// and test/integration run them on PostgreSQL, PGlite, Redis and BullMQ.
export { describeKernelStoreContract } from './tenancy/kernel-store.contract';
export { describeIdempotencyStoreContract } from './idempotency/idempotency-store.contract';
export { describeInvitationStoreContract } from './identity/invitation-store.contract';
export { describeJobQueueContract, eventually, slotOf } from './jobs/job-queue.contract';
export { describeInstallStoreContract } from './installs/install-store.contract';
