import type { CoreServices } from '../di/core-services';
import type { PlatformEvents } from '../events/platform-events';
import type { CorsPolicy } from '../http/cors-policy';
import type { KernelOptions } from '../kernel-options';
import type { PluginSetCache } from '../plugin-sets/plugin-set-cache';
import { DEFAULT_CACHE_SIZE } from '../observability/cache-size';
import type { KernelMetrics } from '../observability/kernel-metrics';
import { AccessChanges } from './access-changes';
import { apiKeyCache } from './api-key-cache';
import { AttemptThrottle, PLATFORM_EVENT_TENANT } from './attempt-throttle';
import { authenticate, type Authenticator } from './authenticate';
import { MemoryIdentityStore, type IdentityStore } from './identity-store';
import { IdentityService } from './identity-service';
import { InvitationService } from './invitation-service';
import { MemoryInvitationStore, type InvitationStore } from './invitation-store';
import { PasswordHasher } from './password-hasher';
import { SessionGuard } from './session-guard';
import { TokenService } from './token-service';

/** Who is calling and what they may still do: credentials, sessions, API keys, second factors, invitations. */
export interface Identity {
  readonly tokens: TokenService;
  readonly passwords: PasswordHasher;
  readonly identityStore: IdentityStore;
  readonly identity: IdentityService;
  readonly invitationStore: InvitationStore;
  readonly invitations: InvitationService;
  /** Brute-force protection of sign-in and second-factor codes. */
  readonly throttle: AttemptThrottle;
  /** Who may do what changes through this one feed (the change feed: Redis across instances), applied here first. */
  readonly access: AccessChanges;
  /** Sets `ctx.state.principal` from a token or API key (and the tenant's CORS setting), or throws 401/403/404. */
  readonly authenticate: Authenticator;
}

export async function createIdentity(
  options: KernelOptions,
  deps: { core: CoreServices; cache: PluginSetCache; cors: CorsPolicy; metrics: KernelMetrics; platformEvents: PlatformEvents },
): Promise<Identity> {
  const { core, cache, metrics, platformEvents } = deps;
  // Every per-instance cache keyed by token, user or API key holds at most this many entries (VV_CACHE_SIZE).
  const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  const tokens = options.tokens ?? (await TokenService.create());
  tokens.configureCache(
    cacheSize,
    metrics.cacheCounters('access-tokens', () => tokens.cachedCount),
  );
  const passwords = options.passwordHasher ?? new PasswordHasher();
  const identityStore = options.identityStore ?? new MemoryIdentityStore();
  const access = new AccessChanges(options.changeFeed);
  const sessions: SessionGuard = new SessionGuard((userId) => identityStore.getSessionState(userId), {
    tokenTtlSeconds: tokens.expiresIn,
    maxCachedUsers: cacheSize,
    counters: metrics.cacheCounters('session-versions', () => sessions.cachedUsers),
  });
  access.on((change) => {
    if (change.kind === 'tenant' || change.kind === 'all') cache.invalidate(change.kind === 'tenant' ? change.id : undefined);
    if (change.kind === 'user' || change.kind === 'all') sessions.invalidateUser(change.kind === 'user' ? change.id : undefined);
    if (change.kind === 'session') sessions.signOut(change.id);
  });
  const identity = new IdentityService(options.store, identityStore, tokens, options.secrets, core.auditor, { onAccessChanged: (change) => access.publish(change) });
  const throttle = new AttemptThrottle({
    ...options.signInProtection,
    auditor: core.auditor,
    // The platform's own event (with the client address, for operators), then one per tenant of the account, which
    // plugins (notifications) see.
    notify: async (notice) => {
      await core.events.publishKernelEvent('auth.lockout', PLATFORM_EVENT_TENANT, notice);
      await platformEvents.lockout(notice);
    },
  });
  const invitationStore = options.invitationStore ?? new MemoryInvitationStore();
  const invitations = new InvitationService({ store: options.store, invitations: invitationStore, events: core.events, platformEvents, passwords, throttle });
  const apiKeys: ReturnType<typeof apiKeyCache> = apiKeyCache(
    identity,
    undefined,
    cacheSize,
    metrics.cacheCounters('api-keys', () => apiKeys.size),
  );
  access.on((change) => {
    if (change.kind === 'api-key' || change.kind === 'all') apiKeys.forget();
  });
  const authenticator = deps.cors.forTenants(authenticate(tokens, cache, apiKeys, sessions));
  return { tokens, passwords, identityStore, identity, invitationStore, invitations, throttle, access, authenticate: authenticator };
}
