import { isIP } from 'node:net';
import { VvError, type Logger, type OutboundHttp, type OutboundRequestInit, type PluginManifest } from '@valueverse/plugin-sdk';
import { AddressPolicy } from './address-policy';
import { allowlistAllows, configValue } from './outbound-allowlist';
import { PinnedHttpClient, type HostResolver } from './pinned-http-client';
import type { PrivateAllowance } from './private-allowance';
import { inSpan, otel } from '../observability/tracing';

export interface OutboundOptions {
  /** Loopback and private destinations the operator allows (`VV_OUTBOUND_ALLOW_PRIVATE`); default none. */
  readonly allowPrivate?: PrivateAllowance;
  /** Resolves host names (default: the system's); tests inject one to map names to chosen addresses. */
  readonly resolver?: HostResolver;
}

/** Reads a plugin's config for a tenant (the kernel's cached plugin set); `{}` when it has none. */
export type TenantConfigLookup = (pluginId: string, tenantId: string) => Promise<Readonly<Record<string, unknown>>>;

function isRequest(input: unknown): input is Request {
  // Duck-typed: a Request from another realm (jest's sandbox, a worker) is not `instanceof` this one's.
  return (
    typeof input === 'object' && input !== null && !(input instanceof URL) && typeof (input as Request).url === 'string' && typeof (input as Request).arrayBuffer === 'function'
  );
}

/**
 * The kernel's outbound HTTP (`coreServices.outbound`): one instance per kernel holding the operator's address
 * policy, and a `fetch` per plugin that enforces the plugin's manifest allowlist before the address checks of
 * `PinnedHttpClient`. Also checks, when a config is saved, that the destinations it names are not refused.
 */
export class OutboundService {
  readonly policy: AddressPolicy;
  private readonly client: PinnedHttpClient;
  private readonly api = otel();

  constructor(
    options: OutboundOptions,
    private readonly configOf: TenantConfigLookup,
    private readonly logger: Logger,
  ) {
    this.policy = new AddressPolicy(options.allowPrivate);
    this.client = new PinnedHttpClient(this.policy, options.resolver);
  }

  /** The `OutboundHttp` a plugin receives. */
  forPlugin(manifest: PluginManifest): OutboundHttp {
    const log = this.logger.child({ plugin: manifest.id });
    return {
      fetch: async (input: string | URL | Request, init: OutboundRequestInit = {}): Promise<Response> => {
        const { tenantId, ...rest } = init;
        const request = isRequest(input) ? input : undefined;
        let url: URL;
        try {
          url = new URL(request ? request.url : String(input));
        } catch (cause) {
          throw new TypeError(`outbound.fetch: "${String(input)}" is not an absolute URL`, { cause });
        }
        try {
          const config = tenantId === undefined ? undefined : await this.configOf(manifest.id, tenantId);
          if (!allowlistAllows(manifest, url, config)) {
            throw new VvError('VV_OUTBOUND_REFUSED', {
              params: {
                destination: url.origin,
                reason: `it is not in the outbound allowlist of plugin "${manifest.id}"${tenantId === undefined ? '' : ` for tenant "${tenantId}"`}`,
              },
              extensions: { plugin: manifest.id },
            });
          }
          const headers = new Headers(rest.headers ?? request?.headers);
          const source = rest.body ?? (request?.body ? await request.arrayBuffer() : undefined);
          let body: Buffer | undefined;
          if (source !== undefined && source !== null) {
            // Response reads every BodyInit fetch accepts, and says which content type fetch would have sent.
            const read = new Response(source);
            body = Buffer.from(await read.arrayBuffer());
            const type = read.headers.get('content-type');
            if (type && !headers.has('content-type')) headers.set('content-type', type);
          }
          const method = (rest.method ?? request?.method ?? 'GET').toUpperCase();
          const send = () => this.client.send({ url, method, headers, body, signal: rest.signal ?? request?.signal ?? undefined });
          // Tracing on: a plugin's call out (an AI provider's completion, a webhook) is a span of the request or job
          // that made it: the destination's origin and path only, never the query, headers or body.
          const api = this.api;
          if (!api) return await send();
          const attributes = {
            'vv.plugin.id': manifest.id,
            'http.request.method': method,
            'server.address': url.hostname,
            'url.path': url.pathname,
            'vv.tenant': tenantId ?? 'none',
          };
          return await inSpan(api, `vv.outbound ${method} ${url.origin}`, attributes, send);
        } catch (error) {
          if (error instanceof VvError && error.code === 'VV_OUTBOUND_REFUSED') log.warn({ destination: url.origin, tenantId, reason: error.message }, 'outbound call refused');
          throw error;
        }
      },
      resolveDestination: async (host: string, port: number, init: { readonly tenantId?: string } = {}) => {
        try {
          const [first] = await this.client.checkedAddresses(host, port);
          return { address: first!.address, family: first!.family === 6 ? 6 : 4 };
        } catch (error) {
          if (error instanceof VvError && error.code === 'VV_OUTBOUND_REFUSED')
            log.warn({ destination: `${host}:${port}`, tenantId: init.tenantId, reason: error.message }, 'outbound connection refused');
          throw error;
        }
      },
    };
  }

  /**
   * Refuses a config whose destination fields (`outbound.configFields`) name a refused address outright: an IP
   * literal or `localhost`. Host names are resolved when called, not here: DNS answers change, so the check that
   * counts is the one made at connection time.
   *
   * @throws VvError `VV_OUTBOUND_REFUSED` with the field's pointer in `errors`
   */
  checkConfigDestinations(manifest: PluginManifest, config: Readonly<Record<string, unknown>>): void {
    for (const field of manifest.outbound?.configFields ?? []) {
      const value = configValue(manifest, config, field);
      if (typeof value !== 'string') continue;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        continue; // the config schema's own rules (format, pattern) speak about the shape
      }
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
      const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      let reason: string | undefined;
      if (url.protocol !== 'http:' && url.protocol !== 'https:') reason = `only http and https are allowed, not ${url.protocol}`;
      else if (url.username !== '' || url.password !== '') reason = 'credentials in the URL are not allowed';
      else if (isIP(host) !== 0) reason = this.policy.refusal({ host, port, address: host });
      else if (host === 'localhost' || host.endsWith('.localhost')) reason = this.policy.refusal({ host, port, address: '127.0.0.1' });
      if (reason) {
        throw new VvError('VV_OUTBOUND_REFUSED', {
          params: { destination: url.origin, reason: `config field "${field}" of plugin "${manifest.id}": ${reason}` },
          errors: [{ pointer: `/${field}`, in: 'config', message: reason }],
          extensions: { plugin: manifest.id },
        });
      }
    }
  }
}
