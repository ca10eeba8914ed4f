import { describeKernelStoreContract } from './kernel-store.contract';
import { MemoryKernelStore } from './memory-kernel-store';

describeKernelStoreContract('MemoryKernelStore', async () => new MemoryKernelStore());
