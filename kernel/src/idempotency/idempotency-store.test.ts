import { describeIdempotencyStoreContract } from './idempotency-store.contract';
import { MemoryIdempotencyStore } from './idempotency-store';

describeIdempotencyStoreContract('MemoryIdempotencyStore', async () => new MemoryIdempotencyStore());
