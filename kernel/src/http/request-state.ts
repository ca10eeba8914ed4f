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
  /** On a public plugin route: the tenant named by its `:tenantId` (there is no principal). */
  publicTenant?: TenantContext;
  /** On a route that declares `rawBody: true`: the body's exact bytes. */
  rawBody?: Buffer;
}

/**
 * `ctx.state` of every request, as a class: the request logger is a pino child made on first use (most requests
 * never log), through a prototype getter rather than a per-request property definition.
 */
export class KernelRequestState implements RequestState {
  principal?: Principal;
  plugin?: string;
  route?: string;
  pluginConfig?: Readonly<Record<string, unknown>>;
  publicTenant?: TenantContext;
  rawBody?: Buffer;
  private logger: Logger | undefined;

  constructor(
    readonly requestId: string,
    private readonly root: { child(bindings: Record<string, unknown>): Logger },
  ) {}

  get log(): Logger {
    return (this.logger ??= this.root.child({ requestId: this.requestId }));
  }

  set log(value: Logger) {
    this.logger = value;
  }
}
