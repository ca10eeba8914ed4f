import { describeInstallStoreContract } from './install-store.contract';
import { MemoryInstallStore } from './memory-install-store';

describeInstallStoreContract('MemoryInstallStore', async () => new MemoryInstallStore());
