/**
 * The formula language of value models: arithmetic over named drivers and formulas, parsed by precedence climbing
 * (Pratt) into an AST. Never `eval`/`new Function`: the AST is compiled to closures by `compileExpression`.
 *
 * Grammar (lowest precedence first):
 *   comparison := additive (('<' | '<=' | '>' | '>=' | '==' | '!=') additive)?      → 1 or 0
 *   additive   := term (('+' | '-') term)*
 *   term       := unary (('*' | '/') unary)*
 *   unary      := ('-' | '+') unary | power
 *   power      := primary ('^' unary)?                  right-associative; -2^2 = -(2^2) = -4, as in mathematics
 *   primary    := number '%'? | name | name '(' args ')' | '(' comparison ')'
 * Numbers: 12, 0.5, .5, 1e6, 1_000_000; `15%` is 0.15.
 */
export type ExpressionNode =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'name'; readonly name: string; readonly column: number }
  | { readonly kind: 'unary'; readonly op: '-'; readonly operand: ExpressionNode }
  | { readonly kind: 'binary'; readonly op: BinaryOperator; readonly left: ExpressionNode; readonly right: ExpressionNode }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly ExpressionNode[]; readonly column: number };

export type BinaryOperator = '+' | '-' | '*' | '/' | '^' | '<' | '<=' | '>' | '>=' | '==' | '!=';

/** Built-in functions with their arity (max −1: any number ≥ min). */
export const expressionFunctions: Readonly<Record<string, { readonly min: number; readonly max: number; readonly doc: string }>> = {
  min: { min: 1, max: -1, doc: 'smallest argument' },
  max: { min: 1, max: -1, doc: 'largest argument' },
  abs: { min: 1, max: 1, doc: 'absolute value' },
  sqrt: { min: 1, max: 1, doc: 'square root' },
  exp: { min: 1, max: 1, doc: 'e^x' },
  ln: { min: 1, max: 1, doc: 'natural logarithm' },
  pow: { min: 2, max: 2, doc: 'pow(x, y) = x^y' },
  round: { min: 1, max: 2, doc: 'round(x[, digits]), half away from zero' },
  floor: { min: 1, max: 1, doc: 'largest integer ≤ x' },
  ceil: { min: 1, max: 1, doc: 'smallest integer ≥ x' },
  clamp: { min: 3, max: 3, doc: 'clamp(x, lo, hi)' },
  if: { min: 3, max: 3, doc: 'if(condition, then, else): condition ≠ 0 picks then' },
};

/** A syntax error with the 1-based column where it was found. */
export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(`${message} at column ${column}`);
    this.name = 'ExpressionSyntaxError';
  }
}

type Token =
  | { readonly type: 'number'; readonly value: number; readonly column: number }
  | { readonly type: 'name'; readonly value: string; readonly column: number }
  | { readonly type: 'op'; readonly value: string; readonly column: number }
  | { readonly type: 'end'; readonly column: number };

const NUMBER = /^(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATORS = ['<=', '>=', '==', '!=', '+', '-', '*', '/', '^', '(', ')', ',', '<', '>', '%'];

/** Longest accepted expression, in characters, and deepest nesting: bounds parse time and stack depth. */
export const MAX_EXPRESSION_LENGTH = 4000;
const MAX_DEPTH = 100;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    const rest = text.slice(i);
    const number = NUMBER.exec(rest);
    if (number) {
      if (number[0].endsWith('_') || number[0].includes('__')) throw new ExpressionSyntaxError(`Malformed number "${number[0]}"`, i + 1);
      tokens.push({ type: 'number', value: Number(number[0].replace(/_/g, '')), column: i + 1 });
      i += number[0].length;
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      tokens.push({ type: 'name', value: name[0], column: i + 1 });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (!op) throw new ExpressionSyntaxError(`Unexpected character "${ch}"`, i + 1);
    tokens.push({ type: 'op', value: op, column: i + 1 });
    i += op.length;
  }
  tokens.push({ type: 'end', column: text.length + 1 });
  return tokens;
}

const COMPARISONS = new Set(['<', '<=', '>', '>=', '==', '!=']);

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): ExpressionNode {
    const node = this.comparison();
    const next = this.peek();
    if (next.type !== 'end') throw new ExpressionSyntaxError(`Unexpected ${describe(next)}`, next.column);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private isOp(value: string): boolean {
    const t = this.peek();
    return t.type === 'op' && t.value === value;
  }

  private comparison(): ExpressionNode {
    const left = this.additive();
    const t = this.peek();
    if (t.type === 'op' && COMPARISONS.has(t.value)) {
      this.index++;
      return { kind: 'binary', op: t.value as BinaryOperator, left, right: this.additive() };
    }
    return left;
  }

  private additive(): ExpressionNode {
    let left = this.term();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.tokens[this.index++] as { value: '+' | '-' }).value;
      left = { kind: 'binary', op, left, right: this.term() };
    }
    return left;
  }

  private term(): ExpressionNode {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/')) {
      const op = (this.tokens[this.index++] as { value: '*' | '/' }).value;
      left = { kind: 'binary', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): ExpressionNode {
    if (++this.depth > MAX_DEPTH) throw new ExpressionSyntaxError('Expression nested too deeply', this.peek().column);
    try {
      if (this.isOp('-')) {
        this.index++;
        return { kind: 'unary', op: '-', operand: this.unary() };
      }
      if (this.isOp('+')) {
        this.index++;
        return this.unary();
      }
      return this.power();
    } finally {
      this.depth--;
    }
  }

  private power(): ExpressionNode {
    const base = this.primary();
    if (this.isOp('^')) {
      this.index++;
      return { kind: 'binary', op: '^', left: base, right: this.unary() };
    }
    return base;
  }

  private primary(): ExpressionNode {
    const t = this.tokens[this.index++]!;
    if (t.type === 'number') {
      if (this.isOp('%')) {
        this.index++;
        return { kind: 'number', value: t.value / 100 };
      }
      return { kind: 'number', value: t.value };
    }
    if (t.type === 'name') {
      if (!this.isOp('(')) return { kind: 'name', name: t.value, column: t.column };
      this.index++;
      const args: ExpressionNode[] = [];
      if (!this.isOp(')')) {
        do {
          if (args.length > 0) this.index++;
          args.push(this.comparison());
        } while (this.isOp(','));
      }
      this.expectClose(t.column);
      const fn = expressionFunctions[t.value];
      if (!fn) throw new ExpressionSyntaxError(`Unknown function "${t.value}"`, t.column);
      if (args.length < fn.min || (fn.max >= 0 && args.length > fn.max)) {
        const arity = fn.max < 0 ? `at least ${fn.min}` : fn.min === fn.max ? `${fn.min}` : `${fn.min} to ${fn.max}`;
        throw new ExpressionSyntaxError(`Function "${t.value}" takes ${arity} argument(s), got ${args.length}`, t.column);
      }
      return { kind: 'call', name: t.value, args, column: t.column };
    }
    if (t.type === 'op' && t.value === '(') {
      const inner = this.comparison();
      this.expectClose(t.column);
      return inner;
    }
    throw new ExpressionSyntaxError(`Unexpected ${describe(t)}`, t.column);
  }

  private expectClose(openedAt: number): void {
    if (!this.isOp(')')) {
      const t = this.peek();
      throw new ExpressionSyntaxError(`Expected ")" to close "(" opened at column ${openedAt}, found ${describe(t)}`, t.column);
    }
    this.index++;
  }
}

function describe(t: Token): string {
  if (t.type === 'end') return 'end of expression';
  return t.type === 'number' ? `number ${t.value}` : `"${t.value}"`;
}

/** Parses a formula; throws {@link ExpressionSyntaxError} with the column of the first problem. */
export function parseExpression(text: string): ExpressionNode {
  if (text.length > MAX_EXPRESSION_LENGTH) throw new ExpressionSyntaxError(`Expression longer than ${MAX_EXPRESSION_LENGTH} characters`, 1);
  return new Parser(tokenize(text)).parse();
}

/** Every variable name the expression reads, in order of first appearance, with its column. */
export function referencedNames(node: ExpressionNode, out = new Map<string, number>()): Map<string, number> {
  switch (node.kind) {
    case 'name':
      if (!out.has(node.name)) out.set(node.name, node.column);
      break;
    case 'unary':
      referencedNames(node.operand, out);
      break;
    case 'binary':
      referencedNames(node.left, out);
      referencedNames(node.right, out);
      break;
    case 'call':
      for (const arg of node.args) referencedNames(arg, out);
      break;
    case 'number':
      break;
  }
  return out;
}
