import { describeInvitationStoreContract } from './invitation-store.contract';
import { MemoryInvitationStore } from './invitation-store';

describeInvitationStoreContract('MemoryInvitationStore', async () => new MemoryInvitationStore());
