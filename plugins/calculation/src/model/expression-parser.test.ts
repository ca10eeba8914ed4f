import { compileExpression } from './compile-expression';
import { ExpressionSyntaxError, parseExpression, referencedNames } from './expression-parser';

function evaluate(text: string, vars: Record<string, number> = {}): number {
  const names = Object.keys(vars);
  const slots = Float64Array.from(names.map((n) => vars[n]!));
  return compileExpression(parseExpression(text), (name) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`unknown ${name}`);
    return i;
  })(slots);
}

function syntaxError(text: string): ExpressionSyntaxError {
  try {
    parseExpression(text);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error;
    throw error;
  }
  throw new Error(`"${text}" parsed`);
}

describe('expression grammar', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ^ 2', -4],
    ['2 ^ -1', 0.5],
    ['10 - 4 - 3', 3],
    ['12 / 3 / 2', 2],
    ['15%', 0.15],
    ['1_000 * 1e3', 1e6],
    ['.5 + 0.25', 0.75],
    ['3 > 2', 1],
    ['3 <= 2', 0],
    ['2 == 2', 1],
    ['2 != 2', 0],
    ['min(4, 2, 8) + max(1, 3)', 5],
    ['if(1 > 2, 10, 20)', 20],
    ['clamp(15, 0, 10)', 10],
    ['round(2.5) + round(-2.5) + round(1.005, 2)', 1.01],
    ['abs(-3) + sqrt(16) + floor(2.7) + ceil(2.1)', 12],
    ['ln(exp(2))', 2],
    ['pow(2, 10)', 1024],
  ])('%s = %d', (text, expected) => {
    expect(evaluate(text)).toBeCloseTo(expected, 12);
  });

  it('reads variables from slots and lists the names it uses', () => {
    expect(evaluate('users * hours * rate * (1 + growth)^(period - 1)', { users: 10, hours: 2, rate: 50, growth: 0.1, period: 3 })).toBeCloseTo(1210, 9);
    expect([...referencedNames(parseExpression('a * b + a / c(1)'.replace('c(1)', 'min(c, 1)'))).keys()]).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['1 +', 'Unexpected end of expression at column 4'],
    ['(1 + 2', 'Expected ")" to close "(" opened at column 1, found end of expression at column 7'],
    ['2 x', 'Unexpected "x" at column 3'],
    ['foo(1)', 'Unknown function "foo" at column 1'],
    ['min()', 'Function "min" takes at least 1 argument(s), got 0 at column 1'],
    ['if(1, 2)', 'Function "if" takes 3 argument(s), got 2 at column 1'],
    ['a $ b', 'Unexpected character "$" at column 3'],
    ['1__0', 'Malformed number "1__0" at column 1'],
  ])('rejects %j: %s', (text, message) => {
    expect(syntaxError(text).message).toBe(message);
  });

  it('is a grammar, not eval: JavaScript is not accepted', () => {
    expect(syntaxError('process.exit(1)').message).toContain('Unexpected character "."');
    expect(syntaxError('this["constructor"]').message).toContain('Unexpected character "["');
    expect(syntaxError('a = 1').message).toContain('Unexpected character "="');
  });

  it('bounds nesting depth instead of overflowing the stack', () => {
    expect(syntaxError(`${'-'.repeat(500)}1`).message).toContain('nested too deeply');
  });
});
