// `@valueverse/kernel/backend`: what an implementation of the kernel's backend contracts builds on — the record
// types of the stores and the helpers the in-memory and the production implementations share (so both check and
// order the same way). @valueverse/backend-defaults (PostgreSQL, PGlite, Redis, BullMQ) imports these; plugins never do.
export type { Database, MigrateOptions, TenantTransactionOptions } from './data/database-api';
export type { AuditInput, AuditQuery } from './audit/audit-store';
export type { AttemptState } from './identity/attempt-store';
export type { ApiKeyRecord, RefreshTokenRecord, SessionState, TotpRecord } from './identity/identity-store';
export type { NewInvitation } from './identity/invitation-store';
export type { IdempotencyBegin, IdempotencyScope, IdempotencyTimes, StoredResponse } from './idempotency/idempotency-store';
export type { TenantStatus } from './tenancy/kernel-store';
export { checkMembership, checkTenantStatus, tenantCursorId, tenantSearchText } from './tenancy/kernel-store-checks';
export { isEventEnvelope } from './events/event-transport';
export { inlineParameters, tenantBindingSql, type TenantBinding } from './data/tenant-binding';
export { nextCronRun, parseCronSchedule } from './jobs/cron-schedule';
export {
  checkSchedule,
  compareDead,
  decodeDeadCursor,
  encodeDeadCursor,
  nextSlot,
  pluginOfQueue,
  queueName,
  scheduledRunId,
  splitDeadId,
  type CheckedSchedule,
  type DeadPosition,
  type JobQueueStart,
} from './jobs/kernel-job-queue';
export type { BucketRule, RateLimiter, TakeResult } from './limits/rate-limiter';
export { LeasedBuckets, type LeaseGrant, type LeaseOptions } from './limits/leased-buckets';
export type { KernelLogger } from './observability/kernel-logger';
export { requestScope } from './context/request-scope';
export { KernelSpan, setKernelSpanSink, type KernelSpanSink } from './observability/kernel-span';
export {
  EMPTY_CONTEXT,
  HEAD_SAMPLED_KEY,
  KERNEL_TRACER,
  REQUEST_TRACE_CONTEXT,
  UNSAMPLED_TRACE_KEY,
  inSpan,
  injectTraceContext,
  otel,
  requestTraceContext,
  setRequestSampleRatio,
  traceRequests,
  tracingRequested,
  withRemoteContext,
  type Otel,
} from './observability/tracing';
