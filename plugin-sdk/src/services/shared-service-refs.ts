import { aiChatRef } from './ai-chat';
import type { MultiServiceRef } from './create-service-ref';

/**
 * The multi-provider refs the SDK itself defines as shared contracts. Any plugin may list their ids under `provides`:
 * the manifest rule that a dotted service id starts with the plugin's own id (so independent authors cannot collide)
 * does not apply to them, since many plugins providing them is the point.
 */
export const sharedServiceRefs: readonly MultiServiceRef<unknown>[] = Object.freeze([aiChatRef]);
