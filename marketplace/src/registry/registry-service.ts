import { createPublicKey, randomUUID } from 'node:crypto';
import { encodeCursor, VvError } from '@valueverse/plugin-sdk';
import { validateManifest } from '@valueverse/kernel';
import semver from 'semver';
import type { PackageRecord, RegistryStore, VersionRecord } from '../data/registry-store';
import type { CatalogQuery } from '../http/list-query';
import type { CatalogEntry, CatalogPage, PackageDetails, PackageVersionDetails, PackageVersionSummary, PublisherWithToken } from '../registry-api';
import { packageLibrary } from './package-library';
import { packageListing } from './package-listing';
import { newPublisherToken, publisherTokenHash } from './publisher-token';

/** A publisher as the API shows it, with its keys (public halves only). */
export interface PublisherView {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly keys: readonly { keyId: string; publicKeyPem: string; createdAt: string; revokedAt: string | null }[];
}

const PACKAGE_ID = /^[a-z][a-z0-9-]{1,48}$/;
const MAX_NAME = 100;
const MAX_PEM = 4096;

/** Builds absolute URLs of a registry's resources (icons) from its base URL `R`. */
export type UrlOf = (path: string) => string;

/**
 * The registry's rules, over its store: publishers with tokens and keys, publishing (structure, signature by one of
 * the publisher's live keys, the kernel's manifest validator, id ownership, immutable versions), catalog, yank,
 * downloads. Who may call what is decided by the HTTP layer (registry-routes.ts).
 */
export class RegistryService {
  constructor(private readonly store: RegistryStore) {}

  async createPublisher(name: unknown): Promise<PublisherWithToken> {
    const checked = typeof name === 'string' ? name.trim() : '';
    if (checked.length < 1 || checked.length > MAX_NAME) {
      throw VvError.validation([{ pointer: '/name', in: 'body', message: `must be a string of 1 to ${MAX_NAME} characters` }]);
    }
    const token = newPublisherToken();
    const publisher = await this.store.createPublisher(randomUUID(), checked, publisherTokenHash(token));
    return { id: publisher.id, name: publisher.name, token };
  }

  async getPublisher(id: string): Promise<PublisherView> {
    const publisher = await this.store.getPublisher(id);
    if (!publisher) throw new VvError('VV_PUBLISHER_UNKNOWN', { params: { publisher: id } });
    return publisher;
  }

  /** The publisher a token belongs to, if it is a current one. */
  publisherOfToken(token: string): Promise<{ id: string; name: string } | undefined> {
    return this.store.publisherByTokenHash(publisherTokenHash(token));
  }

  /** A new token for the publisher; the previous one stops working at once. */
  async rotateToken(publisherId: string): Promise<PublisherWithToken> {
    const publisher = await this.getPublisher(publisherId);
    const token = newPublisherToken();
    if (!(await this.store.replaceToken(publisherId, publisherTokenHash(token)))) throw new VvError('VV_PUBLISHER_UNKNOWN', { params: { publisher: publisherId } });
    return { id: publisher.id, name: publisher.name, token };
  }

  /** Registers an Ed25519 public key (SPKI PEM) for the publisher; rotation is adding a new key, then revoking the old. */
  async addKey(publisherId: string, publicKeyPem: unknown): Promise<{ keyId: string }> {
    const problem = () => VvError.validation([{ pointer: '/publicKeyPem', in: 'body', message: 'must be an Ed25519 public key in SPKI PEM ("-----BEGIN PUBLIC KEY-----")' }]);
    if (typeof publicKeyPem !== 'string' || publicKeyPem.length > MAX_PEM || !publicKeyPem.includes('-----BEGIN PUBLIC KEY-----')) throw problem();
    let pem: string;
    try {
      const key = createPublicKey(publicKeyPem);
      if (key.asymmetricKeyType !== 'ed25519') throw problem();
      // Stored as Node writes it, so the stored text is exactly the key (no stray headers or whitespace).
      pem = key.export({ type: 'spki', format: 'pem' }).toString();
    } catch {
      throw problem();
    }
    await this.getPublisher(publisherId);
    const keyId = packageLibrary().keyIdOf(pem);
    await this.store.addKey(publisherId, keyId, pem);
    return { keyId };
  }

  async revokeKey(publisherId: string, keyId: string): Promise<void> {
    await this.getPublisher(publisherId);
    if (!(await this.store.revokeKey(publisherId, keyId))) throw new VvError('VV_SIGNING_KEY_UNKNOWN', { params: { publisher: publisherId, keyId } });
  }

  /**
   * Publishes a package file for `publisherId`. Refused, with nothing written: a malformed or modified package
   * (hpkg's `inspectPackage`), a plugin.json the kernel would refuse (`validateManifest`), an unsigned package or a
   * signature that does not verify (VV_SIGNATURE_INVALID), a signer that is not a live key of this publisher
   * (VV_SIGNER_UNTRUSTED: another publisher's key, or a revoked one), an id owned by another publisher
   * (VV_PACKAGE_ID_TAKEN), an existing version (VV_PACKAGE_VERSION_EXISTS).
   */
  async publish(publisherId: string, bytes: Buffer): Promise<PackageVersionDetails> {
    const { inspectPackage, PackageError, verifySignatureWith } = packageLibrary();
    const inspected = await inspectPackage(bytes);
    // The kernel's own validator, again on the raw plugin.json: what is published is what a host will accept.
    const manifest = validateManifest(JSON.parse(inspected.files.get('plugin.json')!.toString('utf8')), `${inspected.pluginId}/plugin.json`);
    const subject = { plugin: inspected.pluginId, version: inspected.version };
    const signature = inspected.signature;
    if (signature === null) throw new PackageError('VV_SIGNATURE_INVALID', `${subject.plugin}@${subject.version} is not signed: sign it with "vv-plugin sign"`, subject);
    const publisher = await this.getPublisher(publisherId);
    const key = publisher.keys.find((k) => k.keyId === signature.keyId);
    if (!key) {
      throw new PackageError(
        'VV_SIGNER_UNTRUSTED',
        `key ${signature.keyId} is not a key of publisher "${publisher.name}": register it with POST /publishers/${publisher.id}/keys`,
        {
          ...subject,
          keyId: signature.keyId,
        },
      );
    }
    if (key.revokedAt !== null) {
      throw new PackageError('VV_SIGNER_UNTRUSTED', `key ${signature.keyId} of publisher "${publisher.name}" was revoked at ${key.revokedAt}`, {
        ...subject,
        keyId: signature.keyId,
      });
    }
    if (!verifySignatureWith(signature, inspected.packageManifest, key.publicKeyPem)) {
      throw new PackageError('VV_SIGNATURE_INVALID', `the signature of ${subject.plugin}@${subject.version} does not verify with key ${signature.keyId}`, {
        ...subject,
        keyId: signature.keyId,
      });
    }
    const listing = packageListing(manifest, inspected.files);
    const version = await this.store.publish({
      packageId: inspected.pluginId,
      version: inspected.version,
      publisherId,
      kernel: listing.kernel,
      manifest: manifest as unknown as Record<string, unknown>,
      displayName: listing.displayName,
      description: listing.description,
      categories: listing.categories,
      permissions: listing.permissions,
      readme: listing.readme,
      icon: listing.icon,
      content: bytes,
      integrity: inspected.integrity,
      signerKeyId: signature.keyId,
    });
    return versionDetails(version);
  }

  /** Marks a version yanked (it stays downloadable by exact version); `publisherId` undefined: the registry admin. */
  async yank(packageId: string, version: string, publisherId: string | undefined): Promise<PackageVersionDetails> {
    const pkg = await this.packageRecord(packageId);
    if (publisherId !== undefined && pkg.publisher.id !== publisherId) {
      throw new VvError('VV_FORBIDDEN', { params: { reason: `Package "${packageId}" belongs to another publisher` } });
    }
    const yanked = await this.store.yank(packageId, checkedVersion(packageId, version));
    if (!yanked) throw new VvError('VV_PACKAGE_UNKNOWN', { params: { package: `${packageId}@${version}` } });
    return versionDetails(yanked);
  }

  async catalog(query: CatalogQuery, urlOf: UrlOf): Promise<CatalogPage> {
    const { items, more } = await this.store.search(query);
    return { items: items.map((p) => catalogEntry(p, urlOf)), nextCursor: more && items.length > 0 ? encodeCursor([items[items.length - 1]!.id]) : null };
  }

  async getPackage(id: string, urlOf: UrlOf): Promise<PackageDetails> {
    if (!PACKAGE_ID.test(id)) throw new VvError('VV_PACKAGE_UNKNOWN', { params: { package: id } });
    const pkg = await this.store.getPackage(id);
    if (!pkg) throw new VvError('VV_PACKAGE_UNKNOWN', { params: { package: id } });
    return {
      id: pkg.id,
      displayName: pkg.displayName,
      description: pkg.description,
      readme: pkg.readme,
      categories: pkg.categories,
      publisher: pkg.publisher,
      downloads: pkg.downloads,
      latestVersion: pkg.latestVersion,
      ...(pkg.latestHasIcon && pkg.latestVersion ? { icon: urlOf(iconPath(pkg.id, pkg.latestVersion)) } : {}),
      versions: pkg.versions.map(versionSummary),
    };
  }

  async getVersion(id: string, version: string): Promise<PackageVersionDetails> {
    const found = PACKAGE_ID.test(id) ? await this.store.getVersion(id, checkedVersion(id, version)) : undefined;
    if (!found) throw new VvError('VV_PACKAGE_UNKNOWN', { params: { package: `${id}@${version}` } });
    return versionDetails(found);
  }

  /** The package file (yanked versions too: a deployment pinned to one must still be able to install it), counted. */
  async download(id: string, version: string): Promise<{ content: Buffer; integrity: string }> {
    const found = PACKAGE_ID.test(id) ? await this.store.download(id, checkedVersion(id, version)) : undefined;
    if (!found) throw new VvError('VV_PACKAGE_UNKNOWN', { params: { package: `${id}@${version}` } });
    return found;
  }

  async icon(id: string, version: string): Promise<{ path: string; bytes: Buffer }> {
    const found = PACKAGE_ID.test(id) ? await this.store.icon(id, checkedVersion(id, version)) : undefined;
    if (!found) throw new VvError('VV_NOT_FOUND', { params: { reason: `${id}@${version} has no icon` } });
    return found;
  }

  private async packageRecord(id: string): Promise<PackageRecord> {
    const pkg = PACKAGE_ID.test(id) ? await this.store.getPackage(id) : undefined;
    if (!pkg) throw new VvError('VV_PACKAGE_UNKNOWN', { params: { package: id } });
    return pkg;
  }
}

/** A version in a path must be valid semver as published (no `v` prefix, no ranges): anything else names nothing. */
function checkedVersion(id: string, version: string): string {
  if (semver.valid(version) !== version) throw new VvError('VV_PACKAGE_UNKNOWN', { params: { package: `${id}@${version}` } });
  return version;
}

export function iconPath(id: string, version: string): string {
  return `/packages/${id}/versions/${version}/icon`;
}

function catalogEntry(p: PackageRecord, urlOf: UrlOf): CatalogEntry {
  return {
    id: p.id,
    displayName: p.displayName,
    description: p.description,
    categories: p.categories,
    latestVersion: p.latestVersion!,
    kernel: p.latestKernel!,
    publisher: p.publisher,
    downloads: p.downloads,
    ...(p.latestHasIcon ? { icon: urlOf(iconPath(p.id, p.latestVersion!)) } : {}),
  };
}

function versionSummary(v: VersionRecord): PackageVersionSummary {
  return {
    version: v.version,
    kernel: v.kernel,
    publishedAt: v.publishedAt,
    yanked: v.yankedAt !== null,
    integrity: v.integrity,
    signer: { keyId: v.signerKeyId },
    permissions: v.permissions,
    size: v.size,
    downloads: v.downloads,
  };
}

function versionDetails(v: VersionRecord): PackageVersionDetails {
  return { id: v.packageId, ...versionSummary(v), manifest: v.manifest };
}
