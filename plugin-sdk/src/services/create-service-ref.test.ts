import { aiChatRef } from './ai-chat';
import { createServiceRef, isMultiServiceRef, isOptionalServiceRef, isServiceRef, optionalRef } from './create-service-ref';
import { sharedServiceRefs } from './shared-service-refs';

describe('createServiceRef', () => {
  it('makes a frozen, branded single-provider ref by default', () => {
    const ref = createServiceRef<number>({ id: 'calculation' });
    expect(ref).toEqual({ $$type: 'valueverse.service-ref', version: 'v1', id: 'calculation', multiple: false });
    expect(Object.isFrozen(ref)).toBe(true);
    expect(isServiceRef(ref)).toBe(true);
    expect(isMultiServiceRef(ref)).toBe(false);
  });

  it('makes a multi-provider ref with multiple: true, which optionalRef keeps', () => {
    const ref = createServiceRef<number>({ id: 'notifier', multiple: true });
    expect(isMultiServiceRef(ref)).toBe(true);
    const optional = optionalRef(ref);
    expect(isOptionalServiceRef(optional)).toBe(true);
    expect(isMultiServiceRef(optional.ref)).toBe(true);
  });

  it('refuses ids that are not dot-separated words', () => {
    expect(() => createServiceRef({ id: 'AI Chat' })).toThrow(/lower-case/);
  });

  it('recognises a ref made by another copy of the SDK by its shape (refs made before "multiple" existed are single)', () => {
    expect(isMultiServiceRef({ $$type: 'valueverse.service-ref', version: 'v1', id: 'ai.chat', scope: 'root', multiple: true })).toBe(true);
    expect(isMultiServiceRef({ $$type: 'valueverse.service-ref', version: 'v1', id: 'calculation', scope: 'root' })).toBe(false);
  });

  it('defines ai.chat as a shared multi-provider ref', () => {
    expect(aiChatRef.id).toBe('ai.chat');
    expect(isMultiServiceRef(aiChatRef)).toBe(true);
    expect(sharedServiceRefs).toContain(aiChatRef);
  });
});
