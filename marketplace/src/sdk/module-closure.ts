import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative, sep } from 'node:path';

/** The files reachable from some entry files and the packages they import from outside. */
export interface ModuleClosure {
  /** Paths relative to the package folder, with `/` separators. */
  readonly files: readonly string[];
  /** Package names imported by those files (`@scope/name` or `name`), Node built-ins excluded. */
  readonly packages: readonly string[];
}

// What tsc writes: `require("x")` in CommonJS output; `from 'x'`, `import("x")`, `import 'x'` and
// `/// <reference path="x" />` in declaration files.
const SPECIFIERS = [/\brequire\(\s*["']([^"']+)["']\s*\)/g, /\bfrom\s+["']([^"']+)["']/g, /\bimport\(\s*["']([^"']+)["']\s*\)/g, /^\s*import\s+["']([^"']+)["']/gm];
const REFERENCE_PATH = /^\/\/\/\s*<reference\s+path=["']([^"']+)["']/gm;

/**
 * The text with comments blanked out (string and template literals kept), so prose in TSDoc such as "read from 'x'"
 * is not taken for an import. Regular-expression literals are not recognised; tsc output for these files has none
 * that contain quotes and slashes together.
 */
function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
      out += ' ';
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Node's CommonJS lookup for a relative specifier, restricted to the file kind being followed (.js or .d.ts). */
function resolveRelative(fromFile: string, specifier: string, kind: '.js' | '.d.ts'): string | undefined {
  const base = join(dirname(fromFile), specifier);
  const stem = base.replace(/\.(js|d\.ts|ts)$/, '');
  const candidates = base.endsWith('.json') ? [base] : [`${stem}${kind}`, join(base, `index${kind}`)];
  return candidates.find((candidate) => existsSync(candidate));
}

/**
 * Follows relative imports from `entries` (paths relative to `packageDir`, `.js` or `.d.ts`) through the built
 * files, so a package can ship one entry point with exactly the files it needs and name the packages it imports.
 * A relative import that leaves the package or names no file is an error: the entry would not load once published.
 */
export function moduleClosure(packageDir: string, entries: readonly string[]): ModuleClosure {
  const root = normalize(packageDir);
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = entries.map((entry) => join(root, entry));
  while (pending.length > 0) {
    const file = pending.pop()!;
    const rel = relative(root, file);
    if (rel.startsWith('..') || files.has(rel.split(sep).join('/'))) continue;
    files.add(rel.split(sep).join('/'));
    if (file.endsWith('.json')) continue;
    const kind = file.endsWith('.d.ts') ? '.d.ts' : '.js';
    const text = readFileSync(file, 'utf8');
    const code = withoutComments(text);
    const specifiers = SPECIFIERS.flatMap((pattern) => [...code.matchAll(pattern)].map((m) => m[1]!));
    const references = [...text.matchAll(REFERENCE_PATH)].map((m) => m[1]!);
    for (const specifier of [...specifiers, ...references.map((r) => (r.startsWith('.') ? r : `./${r}`))]) {
      if (!specifier.startsWith('.')) {
        if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) packages.add(packageOf(specifier));
        continue;
      }
      const target = resolveRelative(file, specifier, kind);
      if (!target || relative(root, target).startsWith('..')) throw new Error(`${rel}: import '${specifier}' does not resolve to a file inside ${root}`);
      pending.push(target);
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}
