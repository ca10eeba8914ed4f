import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { VvError } from '@valueverse/plugin-sdk';
import type { AddressPolicy } from './address-policy';

/** Resolves a host name to every address it has (the kernel checks them all). Injected in tests. */
export type HostResolver = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), every address, in the system's order. */
export const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A network failure as an error of this realm, keeping `name`, `code` and the original as `cause`. */
function networkError(error: unknown): Error {
  if (error instanceof VvError) return error;
  const e = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown };
  const local = new Error(typeof e.message === 'string' ? e.message : String(error), { cause: error }) as Error & { code?: unknown };
  if (typeof e.name === 'string') local.name = e.name;
  if (e.code !== undefined) local.code = e.code;
  return local;
}

/** What one call sends, already read into memory (request bodies of plugins are small: JSON, forms). */
export interface PinnedRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Headers;
  readonly body?: Buffer;
  readonly signal?: AbortSignal;
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);
const FORBIDDEN_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'te', 'trailer']);
/** Connection failures that happen before a byte is sent: another address of the same host may work. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL']);

/**
 * Sends HTTP(S) requests to the address that was checked. The host is resolved once, every address it has is put
 * to the policy (one refused address refuses the call: a name that can resolve to the metadata service is not a
 * destination), and the socket connects to a checked address (the first one that answers) through a `lookup` hook
 * that returns exactly that address, so no second resolution can move the call elsewhere (DNS rebinding). TLS still verifies the certificate
 * against the host name. Redirects are not followed; each call opens its own connection (no pooled socket outlives
 * the check that allowed it; AI calls take seconds, a handshake is noise beside them).
 */
export class PinnedHttpClient {
  constructor(
    private readonly policy: AddressPolicy,
    private readonly resolver: HostResolver = systemResolver,
  ) {}

  /**
   * Resolves `host` and puts every address to the policy (one refused address refuses, as for HTTP); returns the
   * addresses to connect to, so a non-HTTP client (SMTP) connects to what was checked.
   */
  async checkedAddresses(host: string, port: number): Promise<readonly { address: string; family: number }[]> {
    const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    let addresses: readonly { address: string; family: number }[];
    if (isIP(name) !== 0) addresses = [{ address: name, family: isIP(name) }];
    else {
      try {
        addresses = await this.resolver(name);
      } catch (error) {
        throw networkError(error);
      }
      if (addresses.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    }
    for (const { address } of addresses) {
      const reason = this.policy.refusal({ host: name, port, address });
      if (reason) throw new VvError('VV_OUTBOUND_REFUSED', { params: { destination: `${name}:${port}`, reason } });
    }
    return addresses;
  }

  async send(request: PinnedRequest): Promise<Response> {
    const { url } = request;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const refuse = (reason: string): never => {
      throw new VvError('VV_OUTBOUND_REFUSED', { params: { destination: url.origin, reason } });
    };
    if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse(`only http and https are allowed, not ${url.protocol}`);
    if (url.username !== '' || url.password !== '') refuse('credentials in the URL are not allowed');
    let addresses: readonly { address: string; family: number }[];
    if (isIP(host) !== 0) {
      addresses = [{ address: host, family: isIP(host) }];
    } else {
      try {
        addresses = await this.resolver(host);
      } catch (error) {
        throw networkError(error);
      }
      if (addresses.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    }
    for (const { address } of addresses) {
      const reason = this.policy.refusal({ host, port, address });
      if (reason) refuse(reason);
    }
    // Every address passed, so any may be used: the next one is tried when one cannot be reached at all (an IPv6
    // answer on a host without IPv6 routes), as fetch would. Nothing was sent to an address that refused to connect.
    for (let index = 0; ; index++) {
      request.signal?.throwIfAborted();
      try {
        return await this.connect(request, host, port, addresses[index]!);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (index + 1 >= addresses.length || typeof code !== 'string' || !UNREACHABLE.has(code)) throw error;
      }
    }
  }

  private connect(request: PinnedRequest, host: string, port: number, pinned: { address: string; family: number }): Promise<Response> {
    const lookup: LookupFunction = (_hostname, options, callback) => {
      // net asks with `all: true` when autoSelectFamily is on; answer in the shape asked for, with the pinned address.
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      // As fetch: the Host header follows the URL (a plugin cannot aim a checked connection at another virtual host),
      // and framing headers are the client's.
      if (!FORBIDDEN_HEADERS.has(name)) headers[name] = value;
    });
    if (request.body !== undefined) headers['content-length'] = String(request.body.length);
    const send = request.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Response>((resolve, reject) => {
      const req = send({
        protocol: request.url.protocol,
        hostname: host,
        port,
        path: `${request.url.pathname}${request.url.search}`,
        method: request.method,
        headers,
        lookup,
        agent: false,
        signal: request.signal,
        ...(request.url.protocol === 'https:' && isIP(host) === 0 ? { servername: host } : {}),
      });
      req.once('error', (error) => reject(networkError(error)));
      req.once('response', (res) => {
        try {
          resolve(toResponse(res, request.method));
        } catch (error) {
          res.destroy();
          reject(networkError(error));
        }
      });
      req.end(request.body);
    });
  }
}

/** A WHATWG Response over the incoming message, decoded as fetch would (gzip, deflate, br). */
function toResponse(res: IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const status = res.statusCode ?? 502;
  if (NULL_BODY_STATUS.has(status) || method === 'HEAD') {
    res.resume();
    return new Response(null, { status, statusText: res.statusMessage, headers });
  }
  const encoding = (headers.get('content-encoding') ?? '').trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined;
  let body: Readable = res;
  if (decoder) {
    headers.delete('content-encoding');
    headers.delete('content-length');
    res.once('error', (error) => decoder.destroy(error));
    body = res.pipe(decoder);
  }
  return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, { status, statusText: res.statusMessage, headers });
}
