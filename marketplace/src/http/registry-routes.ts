import type { Context } from 'koa';
import { Router, type RouterContext } from '@koa/router';
import { VvError } from '@valueverse/plugin-sdk';
import type { KernelRouteAccess } from '@valueverse/kernel';
import { INTEGRITY_HEADER, type SdkListing } from '../registry-api';
import { packageLibrary } from '../registry/package-library';
import { ICON_FILES } from '../registry/package-listing';
import { isPublisherToken } from '../registry/publisher-token';
import type { RegistryService } from '../registry/registry-service';
import { parseCatalogQuery } from './list-query';
import { readRawBody } from './read-raw-body';

/** The SDK tarballs for plugin authors outside a checkout (hsdk builds them; marketplace/src/sdk/). */
export interface SdkTarballs {
  /** The tarballs with absolute URLs under `baseUrl` (the registry's R). */
  list(baseUrl: string): Promise<SdkListing['packages']>;
  /** One tarball by file name (`<name>-<version>.tgz`), its `@valueverse/*` dependencies pointing under `baseUrl`; undefined: none such. */
  get(file: string, baseUrl: string): Promise<Buffer | undefined>;
}

/** Throws VV_UNAUTHENTICATED or VV_FORBIDDEN unless the caller is a registry admin. */
export type RequireAdmin = (ctx: Context) => Promise<void>;

export interface RegistryRoutesOptions {
  readonly service: RegistryService;
  /** Where the registry is served, e.g. `/api/v1/marketplace`; every route is below it. */
  readonly basePath: string;
  readonly sdk?: SdkTarballs;
  /** Largest package a publish accepts, in bytes (default 20 MB, the package limit). */
  readonly maxPackageBytes?: number;
  /** The registry's R as clients reach it (behind a proxy), for the absolute URLs it answers; default from each request. */
  readonly publicUrl?: string;
}

/** A route of the registry with who may call it, for the kernel's `httpRoutes()` (the security suite walks them). */
export interface RegistryRouteInfo {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  /**
   * `public`, or `platform-admin` for routes a registry admin or a publisher token may call: without a publisher
   * token they authenticate like any admin route (401 without credentials, 403 below platform admin).
   */
  readonly access: Extract<KernelRouteAccess, 'public' | 'platform-admin'>;
}

type Caller = { kind: 'admin' } | { kind: 'publisher'; publisher: { id: string; name: string } };
type RegistryContext = RouterContext & { registryAdmin: RequireAdmin };

const PACKAGE_TYPES = ['application/octet-stream', 'application/gzip', 'application/x-gzip', 'application/vnd.valueverse.package'];
const SDK_FILE = /^[A-Za-z0-9._-]{1,200}\.tgz$/;

/** The bearer credential of the request, if any. */
function bearer(ctx: Context): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'));
  return match?.[1];
}

/**
 * The registry's HTTP API (PACKAGE-SPEC "Registry HTTP API"). `handle(ctx, requireAdmin)` serves one request in any
 * Koa app: standalone (registry-server.ts, admin = VV_MARKETPLACE_ADMIN_TOKEN) or mounted by the host in the kernel
 * (admin = platform admin, by the kernel's authentication). JSON bodies must be parsed by the app already
 * (`ctx.request.body`); package uploads are read from the stream here.
 */
export function registryRoutes(options: RegistryRoutesOptions): {
  handle(ctx: Context, requireAdmin: RequireAdmin): Promise<void>;
  readonly routes: readonly RegistryRouteInfo[];
} {
  const { service, basePath } = options;
  const maxBytes = () => options.maxPackageBytes ?? packageLibrary().PACKAGE_LIMITS.maxPackageBytes;
  const limitText = () => `${Math.round((maxBytes() / (1024 * 1024)) * 10) / 10} MB`;
  const router = new Router({ prefix: basePath });
  const routes: RegistryRouteInfo[] = [];
  // protocol and host as Koa reads them (X-Forwarded-* only when the app trusts its proxies).
  const baseUrl = (ctx: Context) => options.publicUrl ?? `${ctx.protocol}://${ctx.host}${basePath}`;

  const caller = async (ctx: RegistryContext): Promise<Caller> => {
    const credential = bearer(ctx);
    if (credential !== undefined && isPublisherToken(credential)) {
      const publisher = await service.publisherOfToken(credential);
      if (!publisher) throw new VvError('VV_UNAUTHENTICATED', { params: { reason: 'The publisher token is not valid (it may have been rotated)' } });
      return { kind: 'publisher', publisher };
    }
    await ctx.registryAdmin(ctx);
    return { kind: 'admin' };
  };
  /** The registry admin, or the publisher `publisherId` itself. */
  const adminOrPublisher = async (ctx: RegistryContext, publisherId: string): Promise<Caller> => {
    const who = await caller(ctx);
    if (who.kind === 'publisher' && who.publisher.id !== publisherId)
      throw new VvError('VV_FORBIDDEN', { params: { reason: 'A publisher token acts for its own publisher only' } });
    return who;
  };
  const jsonBody = (ctx: Context): Record<string, unknown> => {
    const body = (ctx.request as { body?: unknown }).body;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !ctx.is('application/json')) {
      throw VvError.validation([{ pointer: '', in: 'body', message: 'must be a JSON object (Content-Type: application/json)' }]);
    }
    return body as Record<string, unknown>;
  };

  const add = (method: RegistryRouteInfo['method'], path: string, access: RegistryRouteInfo['access'], handler: (ctx: RegistryContext) => Promise<void>) => {
    router.register(path, [method], handler as never);
    routes.push({ method, path: `${basePath}${path}`, access });
  };

  add('GET', '/packages', 'public', async (ctx) => {
    ctx.body = await service.catalog(parseCatalogQuery(ctx.query), (path) => `${baseUrl(ctx)}${path}`);
  });

  add('POST', '/packages', 'platform-admin', async (ctx) => {
    const who = await caller(ctx);
    if (who.kind !== 'publisher') throw new VvError('VV_FORBIDDEN', { params: { reason: 'Packages are published with a publisher token (POST /publishers makes one)' } });
    if (!ctx.is(PACKAGE_TYPES)) {
      throw VvError.validation([{ pointer: '', in: 'headers', message: `the package file is sent as the body with Content-Type ${PACKAGE_TYPES[0]}` }]);
    }
    const bytes = await readRawBody(ctx, maxBytes(), limitText());
    const version = await service.publish(who.publisher.id, bytes);
    ctx.status = 201;
    ctx.set('Location', `${basePath}/packages/${version.id}/versions/${version.version}`);
    ctx.body = version;
  });

  add('GET', '/packages/:id', 'public', async (ctx) => {
    ctx.body = await service.getPackage(ctx.params.id!, (path) => `${baseUrl(ctx)}${path}`);
  });

  add('GET', '/packages/:id/versions/:version', 'public', async (ctx) => {
    ctx.body = await service.getVersion(ctx.params.id!, ctx.params.version!);
  });

  add('GET', '/packages/:id/versions/:version/download', 'public', async (ctx) => {
    const { id, version } = ctx.params as { id: string; version: string };
    const file = await service.download(id, version);
    ctx.set(INTEGRITY_HEADER, file.integrity);
    // RFC 3230 `Digest` (sha-512=<base64>) carries the same hash for generic clients.
    ctx.set('Digest', `sha-512=${file.integrity.slice('sha512-'.length)}`);
    ctx.set('Content-Disposition', `attachment; filename="${id}-${version}.vvpkg"`);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'application/octet-stream';
    ctx.body = file.content;
  });

  add('GET', '/packages/:id/versions/:version/icon', 'public', async (ctx) => {
    const icon = await service.icon(ctx.params.id!, ctx.params.version!);
    ctx.type = ICON_FILES[icon.path] ?? 'application/octet-stream';
    // An SVG from a publisher must not run script if opened directly: no scripts, no sniffing.
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = icon.bytes;
  });

  add('POST', '/packages/:id/versions/:version/yank', 'platform-admin', async (ctx) => {
    const who = await caller(ctx);
    ctx.body = await service.yank(ctx.params.id!, ctx.params.version!, who.kind === 'publisher' ? who.publisher.id : undefined);
  });

  add('GET', '/publishers/:id', 'public', async (ctx) => {
    ctx.body = await service.getPublisher(ctx.params.id!);
  });

  add('POST', '/publishers', 'platform-admin', async (ctx) => {
    const who = await caller(ctx);
    if (who.kind !== 'admin') throw new VvError('VV_FORBIDDEN', { params: { reason: 'Only a registry admin creates publishers' } });
    const created = await service.createPublisher(jsonBody(ctx).name);
    ctx.status = 201;
    ctx.set('Location', `${basePath}/publishers/${created.id}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = created;
  });

  add('POST', '/publishers/:id/tokens', 'platform-admin', async (ctx) => {
    await adminOrPublisher(ctx, ctx.params.id!);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await service.rotateToken(ctx.params.id!);
  });

  add('POST', '/publishers/:id/keys', 'platform-admin', async (ctx) => {
    await adminOrPublisher(ctx, ctx.params.id!);
    const added = await service.addKey(ctx.params.id!, jsonBody(ctx).publicKeyPem);
    ctx.status = 201;
    ctx.body = added;
  });

  add('DELETE', '/publishers/:id/keys/:keyId', 'platform-admin', async (ctx) => {
    await adminOrPublisher(ctx, ctx.params.id!);
    await service.revokeKey(ctx.params.id!, ctx.params.keyId!);
    ctx.status = 204;
  });

  add('GET', '/sdk', 'public', async (ctx) => {
    if (!options.sdk) throw new VvError('VV_NOT_FOUND', { params: { reason: 'This registry serves no SDK tarballs' } });
    const listing: SdkListing = { packages: await options.sdk.list(baseUrl(ctx)) };
    ctx.body = listing;
  });

  add('GET', '/sdk/:file', 'public', async (ctx) => {
    const file = ctx.params.file!;
    const tarball = options.sdk && SDK_FILE.test(file) ? await options.sdk.get(file, baseUrl(ctx)) : undefined;
    if (!tarball) throw new VvError('VV_NOT_FOUND', { params: { reason: `No SDK tarball "${file}"` } });
    ctx.type = 'application/octet-stream';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = tarball;
  });

  const dispatch = router.routes();
  return {
    routes,
    async handle(ctx, requireAdmin) {
      (ctx as RegistryContext).registryAdmin = requireAdmin;
      await dispatch(ctx as never, async () => undefined);
    },
  };
}
