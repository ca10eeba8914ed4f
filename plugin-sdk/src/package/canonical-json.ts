function write(value: unknown, at: string): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    // JSON.stringify would write "null" for these: a signature over a value that does not round-trip signs nothing.
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${at || '(root)'} is not a finite number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item, index) => write(item, `${at}/${index}`)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    // Default sort: UTF-16 code unit order, the same in every JavaScript engine.
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, v]) => `${JSON.stringify(key)}:${write(v, `${at}/${key}`)}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: ${at || '(root)'} is a ${typeof value}, which JSON cannot represent`);
}

/**
 * JSON with object keys sorted recursively (UTF-16 code unit order) and no whitespace: the bytes a package signature
 * is computed over, so that signer and verifier agree whatever order the keys were written in. `undefined` object
 * members are left out; non-finite numbers, functions, symbols and bigints are refused.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }] }); // '{"a":[true,{"c":"x","d":null}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return write(value, '');
}
