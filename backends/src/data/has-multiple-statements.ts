/**
 * True when `sql` holds more than one statement, i.e. a `;` outside quotes and comments is followed by more SQL.
 *
 * PGlite's `query()` uses the extended protocol, which accepts one statement only; MikroORM sends DDL batches as one
 * string. The PGlite driver routes those through `exec()` (simple protocol). A parse error inside a transaction
 * aborts it, so we decide up front instead of trying `query()` and falling back.
 *
 * Understands '…' strings ('' escapes), E'…' strings (backslash escapes), "…" identifiers, $tag$…$tag$ bodies,
 * -- line comments and nested block comments.
 */
export function hasMultipleStatements(sql: string): boolean {
  let i = 0;
  let sawTerminator = false;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i + 2);
      i = end === -1 ? n : end + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i);
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (sawTerminator && c !== ';') return true;
    if (c === ';') {
      sawTerminator = true;
      i++;
      continue;
    }
    if (c === "'") {
      const escaped = i > 0 && (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !isIdentifierChar(sql[i - 2]);
      i = skipQuoted(sql, i, "'", escaped);
      continue;
    }
    if (c === '"') {
      i = skipQuoted(sql, i, '"', false);
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      // `$1` (a parameter) does not match: a tag cannot start with a digit.
      if (tag && !isIdentifierChar(sql[i - 1])) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? n : end + tag[0].length;
        continue;
      }
    }
    i++;
  }
  return false;
}

function isIdentifierChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$]/.test(c);
}

function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}
