import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys recursively and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, { d: null, c: 'x y' }], é: 2, Z: 0 })).toBe('{"Z":0,"a":[true,{"c":"x y","d":null}],"b":1,"é":2}');
  });

  it('gives the same text whatever order the keys were written in', () => {
    expect(canonicalJson({ files: { 'b.js': '2', 'a.js': '1' }, plugin: 'p' })).toBe(canonicalJson({ plugin: 'p', files: { 'a.js': '1', 'b.js': '2' } }));
  });

  it('leaves out undefined members and escapes strings as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 'quote " and \n' })).toBe('{"b":"quote \\" and \\n"}');
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], [() => 1], [Symbol('s')], [10n]])('refuses %p, which would not round-trip', (value) => {
    expect(() => canonicalJson({ value })).toThrow(TypeError);
  });
});
