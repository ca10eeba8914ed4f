import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestContext } from '@valueverse/plugin-sdk';

/** The request being served, carried through async calls so that services deep below a handler can see it. */
export const requestScope = new AsyncLocalStorage<RequestContext>();
