import { isIP } from 'node:net';

/** One operator exception to "no private or loopback destinations". */
export type PrivateAllowanceEntry =
  /** Every address in `address/prefix`, on any port. */
  | { readonly kind: 'cidr'; readonly address: string; readonly prefix: number; readonly family: 4 | 6 }
  /** One address (`10.0.0.5`, `[fd00::5]`), on `port` or any port. */
  | { readonly kind: 'address'; readonly address: string; readonly family: 4 | 6; readonly port?: number }
  /** A host name the operator knows to be internal (`ollama.internal`), on `port` or any port. */
  | { readonly kind: 'host'; readonly host: string; readonly port?: number };

/** Which loopback and private destinations the operator allows (`VV_OUTBOUND_ALLOW_PRIVATE`). */
export interface PrivateAllowance {
  /** `true`: every loopback and private address. */
  readonly all: boolean;
  readonly entries: readonly PrivateAllowanceEntry[];
}

export const NO_PRIVATE_DESTINATIONS: PrivateAllowance = Object.freeze({ all: false, entries: Object.freeze([]) });

const hostnamePattern = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

function parsePort(raw: string | undefined): number | undefined | null {
  if (raw === undefined) return undefined;
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  return port >= 1 && port <= 65535 ? port : null;
}

/** One entry, or the reason it is not one. */
function parseEntry(text: string): PrivateAllowanceEntry | string {
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (cidr) {
    const family = isIP(cidr[1]!);
    const prefix = Number(cidr[2]);
    if (family === 0) return `"${text}": "${cidr[1]}" is not an IP address`;
    if (prefix > (family === 4 ? 32 : 128)) return `"${text}": the prefix is longer than the address`;
    return { kind: 'cidr', address: cidr[1]!, prefix, family: family === 4 ? 4 : 6 };
  }
  // [v6]:port, [v6], v4:port, v4, host:port, host
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = bracketed ? undefined : /^([^:]+)(?::(\d+))?$/.exec(text);
  const address = bracketed?.[1] ?? plain?.[1] ?? (isIP(text) === 6 ? text : undefined);
  const port = parsePort(bracketed?.[2] ?? plain?.[2]);
  if (address === undefined) return `"${text}" is not an address, a host name, host:port or a CIDR range`;
  if (port === null) return `"${text}": the port must be 1-65535`;
  const family = isIP(address);
  if (family === 4 || family === 6) return { kind: 'address', address, family, ...(port === undefined ? {} : { port }) };
  if (bracketed || !hostnamePattern.test(address.toLowerCase())) return `"${text}" is not an address, a host name, host:port or a CIDR range`;
  return { kind: 'host', host: address.toLowerCase(), ...(port === undefined ? {} : { port }) };
}

/**
 * Reads `VV_OUTBOUND_ALLOW_PRIVATE`: unset or `false` (the default: no loopback or private destinations), `true`
 * (all of them: a single-machine install whose AI server runs beside it), or a comma-separated list of exceptions:
 * CIDR ranges (`10.20.0.0/16`), addresses with or without a port (`127.0.0.1:11434`, `[::1]:11434`) and host names
 * with or without a port (`ollama.internal:11434`). Link-local and metadata addresses are never allowed.
 *
 * @returns the allowance, or the problems (one per bad entry) for the boot error
 */
export function parsePrivateAllowance(raw: string | undefined): { allowance: PrivateAllowance; problems: string[] } {
  const value = raw?.trim() ?? '';
  if (value === '' || value.toLowerCase() === 'false') return { allowance: NO_PRIVATE_DESTINATIONS, problems: [] };
  if (value.toLowerCase() === 'true') return { allowance: { all: true, entries: [] }, problems: [] };
  const entries: PrivateAllowanceEntry[] = [];
  const problems: string[] = [];
  for (const part of value.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const entry = parseEntry(part);
    if (typeof entry === 'string') problems.push(entry);
    else entries.push(entry);
  }
  if (entries.length === 0 && problems.length === 0) problems.push('must be "true", "false" or a list of exceptions');
  return { allowance: { all: false, entries }, problems };
}
