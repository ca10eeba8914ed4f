import { createHash } from 'node:crypto';
import { isErrorCode, VvError } from '@valueverse/plugin-sdk';
import { INTEGRITY_HEADER, type CatalogEntry, type CatalogPage, type PackageDetails, type PackageVersionDetails } from '../registry-api';

export interface RegistryClientOptions {
  /** The registry's R, e.g. `http://127.0.0.1:3000/api/v1/marketplace` (`VV_MARKETPLACE_URL`). */
  readonly baseUrl: string;
  /** Per request; default 30 s. */
  readonly timeoutMs?: number;
  /** Most packages `catalog` reads (pages of 200); default 1,000. */
  readonly maxCatalogEntries?: number;
  /** The `fetch` to use (tests); default the global one. */
  readonly fetch?: typeof fetch;
}

const PACKAGE_ID = /^[a-z][a-z0-9-]{1,48}$/;
/** Versions in paths: semver as published (digits, letters, dots, hyphens and `+`). */
const VERSION = /^[0-9A-Za-z.+-]{1,100}$/;

/**
 * Reads a marketplace registry over HTTP: the catalog, package details and package files, whose bytes are checked
 * against the integrity the registry states. The kernel's `PackageSource` (`catalog`, `getPackage`, `download`) is this shape;
 * the host wires it to `VV_MARKETPLACE_URL` or its own registry.
 *
 * @example
 * const client = new RegistryClient({ baseUrl: 'http://127.0.0.1:3000/api/v1/marketplace' });
 * const bytes = await client.download('acme-crm', '1.2.0');
 */
export class RegistryClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxCatalogEntries: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: RegistryClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new VvError('VV_CONFIG_INVALID', { params: { subject: 'the marketplace registry', problems: `"${options.baseUrl}" is not a URL` } });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new VvError('VV_CONFIG_INVALID', { params: { subject: 'the marketplace registry', problems: 'its URL must be http(s)' } });
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxCatalogEntries = options.maxCatalogEntries ?? 1000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** One page of the catalog (`GET R/packages`). */
  async catalogPage(query: { q?: string; category?: string; limit?: number; cursor?: string } = {}): Promise<CatalogPage> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
    const search = params.toString();
    return (await this.json(`/packages${search ? `?${search}` : ''}`)) as CatalogPage;
  }

  /** Every package matching `q` (id, name, description, category), following cursors up to `maxCatalogEntries`. */
  async catalog(q = ''): Promise<CatalogEntry[]> {
    const entries: CatalogEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.catalogPage({ q, limit: Math.min(200, this.maxCatalogEntries - entries.length), cursor });
      entries.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && entries.length < this.maxCatalogEntries);
    return entries;
  }

  /** A package with its readme and every version (`GET R/packages/:id`); VV_PACKAGE_UNKNOWN when there is none. */
  async getPackage(id: string): Promise<PackageDetails> {
    return (await this.json(`/packages/${this.checkedId(id)}`)) as PackageDetails;
  }

  /** One version's metadata with its manifest. */
  async getVersion(id: string, version: string): Promise<PackageVersionDetails> {
    return (await this.json(`/packages/${this.checkedId(id)}/versions/${this.checkedVersion(id, version)}`)) as PackageVersionDetails;
  }

  /**
   * The package file of `id@version` (yanked versions too). Its SHA-512 must equal the registry's
   * `X-Package-Integrity`; a transfer that does not match is refused (VV_UPSTREAM_FAILED), never returned.
   */
  async download(id: string, version: string): Promise<Buffer> {
    const res = await this.request(`/packages/${this.checkedId(id)}/versions/${this.checkedVersion(id, version)}/download`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const stated = res.headers.get(INTEGRITY_HEADER);
    if (!stated || !stated.startsWith('sha512-')) throw this.upstream(`the download of ${id}@${version} carries no ${INTEGRITY_HEADER} header`);
    const actual = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
    if (actual !== stated) throw this.upstream(`the download of ${id}@${version} does not match its ${INTEGRITY_HEADER} (${bytes.length} bytes received)`);
    return bytes;
  }

  private checkedId(id: string): string {
    if (!PACKAGE_ID.test(id)) throw new VvError('VV_PACKAGE_UNKNOWN', { params: { package: id } });
    return id;
  }

  private checkedVersion(id: string, version: string): string {
    if (!VERSION.test(version)) throw new VvError('VV_PACKAGE_UNKNOWN', { params: { package: `${id}@${version}` } });
    return encodeURIComponent(version);
  }

  private upstream(reason: string): VvError {
    return new VvError('VV_UPSTREAM_FAILED', { params: { service: `The marketplace registry ${this.baseUrl}`, reason } });
  }

  private async json(path: string): Promise<unknown> {
    const res = await this.request(path);
    try {
      return await res.json();
    } catch (error) {
      throw new VvError('VV_UPSTREAM_FAILED', { params: { service: `The marketplace registry ${this.baseUrl}`, reason: `${path} did not answer JSON` }, cause: error });
    }
  }

  /**
   * GET `path` under R. A registry's own problem (a catalogued 4xx code such as VV_PACKAGE_UNKNOWN) is passed on
   * with its code; anything else (unreachable, 5xx, not a problem) is VV_DEPENDENCY_UNAVAILABLE or VV_UPSTREAM_FAILED.
   */
  private async request(path: string): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(this.timeoutMs), redirect: 'follow' });
    } catch (error) {
      throw new VvError('VV_DEPENDENCY_UNAVAILABLE', {
        params: { dependency: `the marketplace registry ${this.baseUrl}`, reason: (error as Error).message },
        cause: error,
      });
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let problem: { code?: unknown; detail?: unknown } = {};
    try {
      problem = JSON.parse(text) as typeof problem;
    } catch {
      problem = {};
    }
    if (res.status >= 400 && res.status < 500 && isErrorCode(problem.code)) {
      throw new VvError(problem.code, { detail: typeof problem.detail === 'string' ? problem.detail : undefined });
    }
    if (res.status >= 500) {
      throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: `the marketplace registry ${this.baseUrl}`, reason: `HTTP ${res.status}` } });
    }
    throw this.upstream(`${path} answered HTTP ${res.status}`);
  }
}
