import type { Logger, TenantContext, UserContext } from '@valueverse/plugin-sdk';

/** Who is calling: set by the auth middleware. */
export interface Principal {
  readonly tenant: TenantContext;
  readonly user: UserContext;
  /** True for a platform admin acting through X-Tenant-Id. */
  readonly platformAdmin: boolean;
}

/** What the kernel's middleware leaves on `ctx.state` for the next ones. */
export interface RequestState {
  requestId: string;
  log: Logger;
  principal?: Principal;
  /** Owning plugin, for metrics and logs. */
  plugin?: string;
  /** Route template, for metrics. */
  route?: string;
  pluginConfig?: Readonly<Record<string, unknown>>;
}
