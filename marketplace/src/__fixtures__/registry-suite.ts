import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCursor } from '@valueverse/plugin-sdk';
import { generateSigningKeyPair, MANIFEST_FILE, readPackageEntries, writePackageTarball } from '@valueverse/plugin-sdk/package';
import { createKernelLogger } from '@valueverse/kernel';
import { RegistryClient } from '../client/registry-client';
import type { SdkTarballs } from '../http/registry-routes';
import { startRegistryServer, type RunningRegistry } from '../standalone/registry-server';
import { packFiles, signedTestPackage, testPackageFiles } from './test-package';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ADMIN = `admin-${randomBytes(24).toString('hex')}`;

/** A stand-in for hsdk's tarball builder: two fixed files, URLs under the registry's R. */
const sdk: SdkTarballs = {
  list: async (baseUrl) => [{ name: '@valueverse/plugin-sdk', version: '0.1.0', url: `${baseUrl}/sdk/valueverse-plugin-sdk-0.1.0.tgz` }],
  get: async (file, baseUrl) => (file === 'valueverse-plugin-sdk-0.1.0.tgz' ? Buffer.from(`tarball for ${baseUrl}`) : undefined),
};

/**
 * The registry's behaviour over real HTTP on a standalone server, run on the embedded database (marketplace unit
 * tests) and on a PostgreSQL server (test/integration/marketplace-registry-postgres.test.ts).
 */
export function describeRegistry(label: string, databaseUrl: () => string | undefined): void {
  describe(`marketplace registry on ${label}`, () => {
    let running: RunningRegistry;
    let R: string;
    let dataDir: string;
    const call = async (method: string, path: string, options: { token?: string; json?: unknown; bytes?: Buffer; headers?: Record<string, string> } = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | Buffer | undefined;
      if (options.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.json);
      } else if (options.bytes) {
        headers['content-type'] ??= 'application/octet-stream';
        body = options.bytes;
      }
      const res = await fetch(`${R}${path}`, { method, headers, body });
      const buffer = Buffer.from(await res.arrayBuffer());
      const type = res.headers.get('content-type') ?? '';
      return { status: res.status, headers: res.headers, type, bytes: buffer, body: /json/.test(type) ? (JSON.parse(buffer.toString('utf8')) as Json) : undefined };
    };
    const expectProblem = (res: { status: number; type: string; body: Json }, status: number, code: string) => {
      expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
      expect(res.type).toMatch(/^application\/problem\+json/);
    };

    const acme = { id: '', token: '', key: generateSigningKeyPair() };
    const globex = { id: '', token: '', key: generateSigningKeyPair() };
    const publish = (token: string, bytes: Buffer) => call('POST', '/packages', { token, bytes });

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'vv-registry-'));
      const url = databaseUrl();
      running = await startRegistryServer(
        { port: 0, host: '127.0.0.1', databaseUrl: url, dataDir, adminToken: ADMIN, logLevel: 'silent' },
        { inMemoryDatabase: url === undefined, quiet: true, sdk, logger: createKernelLogger({ level: 'silent' }) },
      );
      R = running.registryUrl;
      for (const [who, name] of [
        [acme, 'Acme Plugins'],
        [globex, 'Globex'],
      ] as const) {
        const created = await call('POST', '/publishers', { token: ADMIN, json: { name } });
        expect(created.status).toBe(201);
        who.id = created.body.id;
        who.token = created.body.token;
        const key = await call('POST', `/publishers/${who.id}/keys`, { token: who.token, json: { publicKeyPem: who.key.publicKeyPem } });
        expect(key.status).toBe(201);
        expect(key.body).toEqual({ keyId: who.key.keyId });
      }
    }, 60_000);

    afterAll(async () => {
      await running?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    describe('publishers', () => {
      it('creates publishers only for the registry admin', async () => {
        expectProblem(await call('POST', '/publishers', { json: { name: 'Nobody' } }), 401, 'VV_UNAUTHENTICATED');
        expectProblem(await call('POST', '/publishers', { token: 'not-the-admin-token-at-all-0123456789', json: { name: 'Nobody' } }), 401, 'VV_UNAUTHENTICATED');
        expectProblem(await call('POST', '/publishers', { token: acme.token, json: { name: 'Nobody' } }), 403, 'VV_FORBIDDEN');
        expectProblem(await call('POST', '/publishers', { token: ADMIN, json: { name: '' } }), 400, 'VV_VALIDATION');
        expectProblem(await call('POST', '/publishers', { token: ADMIN, json: { name: 'acme plugins' } }), 409, 'VV_CONFLICT');
      });

      it('stores only the SHA-256 of a token, and shows the token only when it is made', async () => {
        const rows = await running.database.execute<Record<string, unknown>>('select * from marketplace.publishers where id = $1', [acme.id]);
        expect(rows).toHaveLength(1);
        const stored = JSON.stringify(rows[0]);
        expect(stored).not.toContain(acme.token);
        expect(rows[0]!.token_hash).toBe(createHash('sha256').update(acme.token).digest('hex'));
        expect(acme.token).toMatch(/^vvpub_[A-Za-z0-9_-]{43}$/);
        const shown = await call('GET', `/publishers/${acme.id}`);
        expect(shown.status).toBe(200);
        expect(JSON.stringify(shown.body)).not.toContain('token');
        expect(shown.body).toMatchObject({ id: acme.id, name: 'Acme Plugins', keys: [{ keyId: acme.key.keyId, revokedAt: null }] });
      });

      it('lets a publisher manage only its own keys and token', async () => {
        const other = generateSigningKeyPair();
        expectProblem(await call('POST', `/publishers/${acme.id}/keys`, { token: globex.token, json: { publicKeyPem: other.publicKeyPem } }), 403, 'VV_FORBIDDEN');
        expectProblem(await call('POST', `/publishers/${acme.id}/tokens`, { token: globex.token }), 403, 'VV_FORBIDDEN');
        expectProblem(await call('DELETE', `/publishers/${acme.id}/keys/${acme.key.keyId}`, { token: globex.token }), 403, 'VV_FORBIDDEN');
        expectProblem(await call('POST', `/publishers/${acme.id}/keys`, { token: acme.token, json: { publicKeyPem: 'not a key' } }), 400, 'VV_VALIDATION');
        // A key registered once cannot be registered again, by anyone.
        expectProblem(await call('POST', `/publishers/${globex.id}/keys`, { token: globex.token, json: { publicKeyPem: acme.key.publicKeyPem } }), 409, 'VV_CONFLICT');
        expectProblem(await call('DELETE', `/publishers/${acme.id}/keys/0000000000000000`, { token: acme.token }), 404, 'VV_SIGNING_KEY_UNKNOWN');
        expectProblem(await call('GET', '/publishers/no-such-publisher'), 404, 'VV_PUBLISHER_UNKNOWN');
        expectProblem(await call('POST', '/publishers/no-such-publisher/tokens', { token: ADMIN }), 404, 'VV_PUBLISHER_UNKNOWN');
      });

      it('rotates a token: the old one stops working at once', async () => {
        const rotated = await call('POST', `/publishers/${globex.id}/tokens`, { token: globex.token });
        expect(rotated.status).toBe(200);
        expect(rotated.body.token).not.toBe(globex.token);
        expectProblem(await call('POST', `/publishers/${globex.id}/tokens`, { token: globex.token }), 401, 'VV_UNAUTHENTICATED');
        globex.token = rotated.body.token;
        // The registry admin may rotate it too (a publisher that lost its token).
        const byAdmin = await call('POST', `/publishers/${globex.id}/tokens`, { token: ADMIN });
        expect(byAdmin.status).toBe(200);
        globex.token = byAdmin.body.token;
      });
    });

    describe('publishing', () => {
      it('publishes a signed package and lists it with readme, categories, icon and permissions', async () => {
        const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>');
        const pkg = await signedTestPackage(
          { id: 'acme-crm', version: '1.0.0', keywords: ['CRM', 'sales', 'not a category!'], readme: '# Acme CRM\nSync accounts.', icon: { name: 'icon.svg', bytes: svg } },
          acme.key.privateKeyPem,
        );
        const res = await publish(acme.token, pkg);
        expect(res.status).toBe(201);
        expect(res.headers.get('location')).toBe('/api/v1/marketplace/packages/acme-crm/versions/1.0.0');
        const integrity = `sha512-${createHash('sha512').update(pkg).digest('base64')}`;
        expect(res.body).toMatchObject({
          id: 'acme-crm',
          version: '1.0.0',
          kernel: '^1.0.0',
          yanked: false,
          integrity,
          signer: { keyId: acme.key.keyId },
          permissions: ['events.publish:acme-crm.*'],
          size: pkg.length,
          manifest: { id: 'acme-crm', version: '1.0.0', main: 'dist/index.js' },
        });
        const details = await call('GET', '/packages/acme-crm');
        expect(details.body).toMatchObject({
          id: 'acme-crm',
          displayName: 'Plugin acme-crm',
          readme: '# Acme CRM\nSync accounts.',
          categories: ['crm', 'sales'],
          publisher: { id: acme.id, name: 'Acme Plugins' },
          latestVersion: '1.0.0',
          icon: `${R}/packages/acme-crm/versions/1.0.0/icon`,
          downloads: 0,
        });
        expect(details.body.versions).toHaveLength(1);
        const icon = await fetch(details.body.icon);
        expect(icon.headers.get('content-type')).toBe('image/svg+xml');
        expect(icon.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(Buffer.from(await icon.arrayBuffer())).toEqual(svg);
      });

      it('refuses an unsigned package and a signature that does not verify', async () => {
        const unsigned = packFiles(testPackageFiles({ id: 'acme-crm', version: '1.0.1' }));
        expectProblem(await publish(acme.token, unsigned), 422, 'VV_SIGNATURE_INVALID');
        // Names acme's key, but the signature bytes are not acme's signature of this manifest.
        const good = await signedTestPackage({ id: 'acme-crm', version: '1.0.1' }, acme.key.privateKeyPem);
        const forged = await reSign(good, (signature) => ({ ...signature, value: Buffer.alloc(64, 1).toString('base64') }));
        const res = await publish(acme.token, forged);
        expectProblem(res, 422, 'VV_SIGNATURE_INVALID');
        expect(res.body.detail).toContain(acme.key.keyId);
        expect((await call('GET', '/packages/acme-crm')).body.versions).toHaveLength(1);
      });

      it("refuses a package signed by another publisher's key", async () => {
        const pkg = await signedTestPackage({ id: 'acme-crm', version: '1.0.1' }, globex.key.privateKeyPem);
        const res = await publish(acme.token, pkg);
        expectProblem(res, 422, 'VV_SIGNER_UNTRUSTED');
        expect(res.body.detail).toContain(globex.key.keyId);
      });

      it('refuses a version that exists, and an id that belongs to another publisher', async () => {
        const again = await signedTestPackage({ id: 'acme-crm', version: '1.0.0', readme: 'changed' }, acme.key.privateKeyPem);
        expectProblem(await publish(acme.token, again), 409, 'VV_PACKAGE_VERSION_EXISTS');
        const squat = await signedTestPackage({ id: 'acme-crm', version: '9.0.0' }, globex.key.privateKeyPem);
        expectProblem(await publish(globex.token, squat), 403, 'VV_PACKAGE_ID_TAKEN');
      });

      it('refuses a manifest the kernel would refuse, with its problems', async () => {
        const pkg = packFiles(testPackageFiles({ id: 'acme-bad', version: '1.0.0', manifest: { kernel: 'not a range', colour: 'blue' } }), undefined, acme.key.privateKeyPem);
        const res = await publish(acme.token, pkg);
        expectProblem(res, 422, 'VV_MANIFEST_INVALID');
        expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/kernel']));
        expectProblem(await call('GET', '/packages/acme-bad'), 404, 'VV_PACKAGE_UNKNOWN');
      });

      it('refuses modified and malformed packages, and bodies over the limit', async () => {
        const files = testPackageFiles({ id: 'acme-crm', version: '1.0.2' });
        const signed = await signedTestPackage({ id: 'acme-crm', version: '1.0.2' }, acme.key.privateKeyPem);
        const added = await withExtraFile(signed, 'dist/extra.js', Buffer.from('1'));
        expectProblem(await publish(acme.token, added), 422, 'VV_PACKAGE_MODIFIED');
        expectProblem(await publish(acme.token, Buffer.from('not a tarball')), 400, 'VV_PACKAGE_INVALID');
        expectProblem(await call('POST', '/packages', { token: acme.token, bytes: signed, headers: { 'content-type': 'text/plain' } }), 400, 'VV_VALIDATION');
        expectProblem(await publish(acme.token, Buffer.alloc(20 * 1024 * 1024 + 1)), 413, 'VV_PAYLOAD_TOO_LARGE');
        expectProblem(await publish('vvpub_not-a-real-token', signed), 401, 'VV_UNAUTHENTICATED');
        expectProblem(await publish(ADMIN, signed), 403, 'VV_FORBIDDEN');
        expect(files.has('plugin.json')).toBe(true);
        expect((await call('GET', '/packages/acme-crm')).body.versions.map((v: { version: string }) => v.version)).toEqual(['1.0.0']);
      });

      it('refuses new publishes by a revoked key; rotation is add, then revoke', async () => {
        const next = generateSigningKeyPair();
        expect((await call('POST', `/publishers/${acme.id}/keys`, { token: acme.token, json: { publicKeyPem: next.publicKeyPem } })).status).toBe(201);
        const revoked = await call('DELETE', `/publishers/${acme.id}/keys/${acme.key.keyId}`, { token: acme.token });
        expect(revoked.status).toBe(204);
        const old = await signedTestPackage({ id: 'acme-crm', version: '1.1.0' }, acme.key.privateKeyPem);
        const refused = await publish(acme.token, old);
        expectProblem(refused, 422, 'VV_SIGNER_UNTRUSTED');
        expect(refused.body.detail).toContain('revoked');
        const fresh = await signedTestPackage({ id: 'acme-crm', version: '1.1.0', readme: 'v1.1' }, next.privateKeyPem);
        const res = await publish(acme.token, fresh);
        expect(res.status).toBe(201);
        expect(res.body.signer).toEqual({ keyId: next.keyId });
        // Versions signed by the revoked key keep naming it.
        const details = await call('GET', '/packages/acme-crm');
        expect(details.body.versions.map((v: Json) => [v.version, v.signer.keyId])).toEqual([
          ['1.1.0', next.keyId],
          ['1.0.0', acme.key.keyId],
        ]);
        expect(details.body).toMatchObject({ latestVersion: '1.1.0', readme: 'v1.1' });
        acme.key = next;
      });
    });

    describe('concurrent publishes', () => {
      it('lets one of two publishers claim a new id, and one of two publishes of a version win', async () => {
        const [a, b] = await Promise.all([
          publish(acme.token, await signedTestPackage({ id: 'race-pkg', version: '1.0.0' }, acme.key.privateKeyPem)),
          publish(globex.token, await signedTestPackage({ id: 'race-pkg', version: '1.0.0' }, globex.key.privateKeyPem)),
        ]);
        expect([a.status, b.status].sort()).toEqual([201, 403]);
        const winner = a.status === 201 ? acme : globex;
        const versions = await Promise.all(
          ['first', 'second'].map(async (readme) => publish(winner.token, await signedTestPackage({ id: 'race-pkg', version: '1.1.0', readme }, winner.key.privateKeyPem))),
        );
        expect(versions.map((v) => v.status).sort()).toEqual([201, 409]);
        const details = await call('GET', '/packages/race-pkg');
        expect(details.body.publisher.id).toBe(winner.id);
        expect(details.body.versions.map((v: Json) => v.version)).toEqual(['1.1.0', '1.0.0']);
        // Out of the way of the catalog tests below.
        for (const version of ['1.0.0', '1.1.0']) expect((await call('POST', `/packages/race-pkg/versions/${version}/yank`, { token: ADMIN })).status).toBe(200);
      });

      it('stops reading an upload without Content-Length once it passes the limit', async () => {
        const chunk = Buffer.alloc(1024 * 1024, 1);
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= 64) return controller.close();
            sent += 1;
            controller.enqueue(chunk);
          },
        });
        const res = await fetch(`${R}/packages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${acme.token}`, 'content-type': 'application/octet-stream' },
          body: stream,
          duplex: 'half',
        } as RequestInit).catch((error: unknown) => error as Error);
        // The registry answers 413 as soon as 20 MB passed; the client may see the answer or the closed connection.
        if (res instanceof Response) {
          expect(res.status).toBe(413);
          expect(((await res.json()) as { code: string }).code).toBe('VV_PAYLOAD_TOO_LARGE');
        }
        expect(sent).toBeLessThan(64);
      });
    });

    describe('catalog, downloads and yank', () => {
      beforeAll(async () => {
        for (const [id, keywords, description] of [
          ['globex-billing', ['finance', 'billing'], 'Invoices and dunning'],
          ['globex-forecast', ['finance'], 'Revenue forecasts with 100% more charts'],
          ['globex-ledger', ['accounting'], 'General ledger'],
        ] as const) {
          const res = await publish(globex.token, await signedTestPackage({ id, version: '2.0.0', keywords, description }, globex.key.privateKeyPem));
          expect(res.status).toBe(201);
        }
      });

      it('searches id, name, description and categories, any case', async () => {
        const ids = async (query: string) => (await call('GET', `/packages${query}`)).body.items.map((p: { id: string }) => p.id);
        expect(await ids('')).toEqual(['acme-crm', 'globex-billing', 'globex-forecast', 'globex-ledger']);
        expect(await ids('?q=GLOBEX')).toEqual(['globex-billing', 'globex-forecast', 'globex-ledger']);
        expect(await ids('?q=dunning')).toEqual(['globex-billing']);
        expect(await ids('?q=plugin%20acme')).toEqual(['acme-crm']);
        expect(await ids('?q=accounting')).toEqual(['globex-ledger']);
        // LIKE wildcards are searched for as characters.
        expect(await ids('?q=100%25')).toEqual(['globex-forecast']);
        expect(await ids('?q=_')).toEqual([]);
        expect(await ids('?category=finance')).toEqual(['globex-billing', 'globex-forecast']);
        expect(await ids('?category=finance&q=forecast')).toEqual(['globex-forecast']);
        const entry = (await call('GET', '/packages?q=acme-crm')).body.items[0];
        expect(entry).toEqual({
          id: 'acme-crm',
          displayName: 'Plugin acme-crm',
          description: 'The acme-crm test plugin',
          categories: [],
          latestVersion: '1.1.0',
          kernel: '^1.0.0',
          publisher: { id: acme.id, name: 'Acme Plugins' },
          downloads: 0,
        });
        expectProblem(await call('GET', '/packages?limit=0'), 400, 'VV_VALIDATION');
      });

      it('pages with the cursor convention', async () => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Json = (await call('GET', `/packages?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).body;
          seen.push(...page.items.map((p: { id: string }) => p.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen).toEqual(['acme-crm', 'globex-billing', 'globex-forecast', 'globex-ledger']);
        const after = await call('GET', `/packages?cursor=${encodeCursor(['globex-forecast'])}`);
        expect(after.body).toEqual({ items: [expect.objectContaining({ id: 'globex-ledger' })], nextCursor: null });
      });

      it('serves the package bytes with their integrity and counts downloads', async () => {
        const first = await call('GET', '/packages/globex-ledger/versions/2.0.0/download');
        expect(first.status).toBe(200);
        expect(first.type).toBe('application/octet-stream');
        const integrity = `sha512-${createHash('sha512').update(first.bytes).digest('base64')}`;
        expect(first.headers.get('x-package-integrity')).toBe(integrity);
        expect(first.headers.get('digest')).toBe(`sha-512=${integrity.slice(7)}`);
        const client = new RegistryClient({ baseUrl: R });
        expect(await client.download('globex-ledger', '2.0.0')).toEqual(first.bytes);
        expect((await client.getPackage('globex-ledger')).downloads).toBe(2);
        expect((await client.getVersion('globex-ledger', '2.0.0')).downloads).toBe(2);
        expect((await client.catalog('ledger')).map((e) => [e.id, e.downloads])).toEqual([['globex-ledger', 2]]);
        await expect(client.download('globex-ledger', '9.9.9')).rejects.toMatchObject({ code: 'VV_PACKAGE_UNKNOWN' });
        await expect(client.getPackage('nothing-here')).rejects.toMatchObject({ code: 'VV_PACKAGE_UNKNOWN' });
        expectProblem(await call('GET', '/packages/globex-ledger/versions/latest/download'), 404, 'VV_PACKAGE_UNKNOWN');
      });

      it('yanks: the version leaves search and latestVersion but stays downloadable by exact version', async () => {
        expectProblem(await call('POST', '/packages/acme-crm/versions/1.1.0/yank', { token: globex.token }), 403, 'VV_FORBIDDEN');
        expectProblem(await call('POST', '/packages/acme-crm/versions/1.1.0/yank'), 401, 'VV_UNAUTHENTICATED');
        const yanked = await call('POST', '/packages/acme-crm/versions/1.1.0/yank', { token: acme.token });
        expect(yanked.status).toBe(200);
        expect(yanked.body).toMatchObject({ version: '1.1.0', yanked: true });
        expect((await call('GET', '/packages?q=acme')).body.items[0].latestVersion).toBe('1.0.0');
        expect((await call('GET', '/packages/acme-crm/versions/1.1.0/download')).status).toBe(200);
        // The registry admin may yank too; with every version yanked the package leaves the catalog.
        expect((await call('POST', '/packages/acme-crm/versions/1.0.0/yank', { token: ADMIN })).status).toBe(200);
        expect((await call('GET', '/packages?q=acme')).body.items).toEqual([]);
        const details = await call('GET', '/packages/acme-crm');
        expect(details.body).toMatchObject({
          latestVersion: null,
          versions: [
            { version: '1.1.0', yanked: true },
            { version: '1.0.0', yanked: true },
          ],
        });
        expectProblem(await call('POST', '/packages/acme-crm/versions/3.0.0/yank', { token: acme.token }), 404, 'VV_PACKAGE_UNKNOWN');
      });
    });

    describe('SDK tarballs', () => {
      it('lists and serves them from the injected source with URLs under R', async () => {
        const listing = await call('GET', '/sdk');
        expect(listing.body).toEqual({ packages: [{ name: '@valueverse/plugin-sdk', version: '0.1.0', url: `${R}/sdk/valueverse-plugin-sdk-0.1.0.tgz` }] });
        const file = await call('GET', '/sdk/valueverse-plugin-sdk-0.1.0.tgz');
        expect(file.bytes.toString()).toBe(`tarball for ${R}`);
        expectProblem(await call('GET', '/sdk/other-0.1.0.tgz'), 404, 'VV_NOT_FOUND');
        expectProblem(await call('GET', '/nowhere'), 404, 'VV_NOT_FOUND');
      });
    });
  });
}

/** Rewrites MANIFEST.json's signature of a package (to forge one) and packs it again. */
async function reSign(pkg: Buffer, change: (signature: Json) => Json): Promise<Buffer> {
  const entries = new Map(await readPackageEntries(pkg));
  const file = JSON.parse(entries.get(MANIFEST_FILE)!.toString('utf8')) as Json;
  entries.set(MANIFEST_FILE, Buffer.from(JSON.stringify({ ...file, signature: change(file.signature) })));
  return writePackageTarball(entries);
}

/** Adds a file to a package after it was signed (a "modified" package). */
async function withExtraFile(pkg: Buffer, path: string, bytes: Buffer): Promise<Buffer> {
  const entries = new Map(await readPackageEntries(pkg));
  entries.set(path, bytes);
  return writePackageTarball(entries);
}
