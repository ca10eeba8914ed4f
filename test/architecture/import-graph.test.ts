import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

// The import graph of the workspace packages (issue #13, "Done when"): the dependency arrows run
// plugins → plugin-sdk ← kernel ← backend-defaults ← (marketplace ←) host, with no arrow back and no circle anywhere — type-only
// imports included, since a type-only circle still ties two modules' designs together. Imports are read with the
// TypeScript compiler's own pre-processor (static imports, re-exports, `require` calls and `import()`), so a new
// arrow cannot hide behind a syntax this test does not know.

const root = resolve(__dirname, '..', '..');

/** A layer, and the layers it may import. Plugins may import each other (through package entries, for service refs). */
interface Layer {
  readonly name: string;
  readonly dirs: readonly string[];
  readonly mayImport: readonly string[];
}

const pluginDirs = readdirSync(join(root, 'plugins')).filter((d) => existsSync(join(root, 'plugins', d, 'package.json')));
const layers: readonly Layer[] = [
  { name: 'plugin-sdk', dirs: ['plugin-sdk'], mayImport: [] },
  { name: 'kernel', dirs: ['kernel'], mayImport: ['plugin-sdk'] },
  { name: 'backend-defaults', dirs: ['backends'], mayImport: ['plugin-sdk', 'kernel'] },
  // The marketplace registry and client (issue #15): the host mounts it; the kernel never imports it.
  { name: 'marketplace', dirs: ['marketplace'], mayImport: ['plugin-sdk', 'kernel', 'backend-defaults'] },
  { name: 'host', dirs: ['host'], mayImport: ['plugin-sdk', 'kernel', 'backend-defaults', 'marketplace'] },
  { name: 'plugin-testing', dirs: ['plugin-testing'], mayImport: ['plugin-sdk', 'kernel', 'backend-defaults'] },
  { name: 'plugins', dirs: pluginDirs.map((d) => join('plugins', d)), mayImport: ['plugin-sdk'] },
];

/**
 * Known arrows that break the rule, each with the issue that removes it. An exception that no longer matches any
 * import fails the test, so it is deleted once the code moves.
 */
const exceptions: readonly { readonly from: string; readonly to: string; readonly why: string }[] = [];

interface SourceFile {
  readonly path: string; // relative to root, with '/'
  readonly layer: string;
  readonly imports: readonly string[]; // resolved, relative to root; only files of the workspace packages
  readonly packageImports: readonly { readonly specifier: string; readonly layer: string }[];
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTs(full));
    else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Package name → its folder and its exports (the `@valueverse/source` condition: the source file). */
const packages = new Map<string, { dir: string; layer: string; exports: Record<string, string> }>();
for (const layer of layers) {
  for (const dir of layer.dirs) {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { name: string; exports?: Record<string, unknown> };
    const exports: Record<string, string> = {};
    for (const [key, value] of Object.entries(manifest.exports ?? {})) {
      const source = typeof value === 'string' ? value : (value as Record<string, string>)['@valueverse/source'];
      if (source) exports[key] = join(dir, source);
    }
    packages.set(manifest.name, { dir, layer: layer.name, exports });
  }
}

const toPosix = (p: string) => p.split(sep).join('/');
const isTestFile = (p: string) => /\.(test|contract)\.ts$/.test(p) || p.includes('/__fixtures__/');

function resolveRelative(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(join(root, fromFile)), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return toPosix(relative(root, candidate));
  }
  return undefined;
}

function packageOf(specifier: string): { name: string; subpath: string } | undefined {
  const match = /^(@valueverse\/[^/]+)(\/.*)?$/.exec(specifier);
  return match ? { name: match[1]!, subpath: `.${match[2] ?? ''}` } : undefined;
}

function readGraph(): SourceFile[] {
  const files: SourceFile[] = [];
  for (const layer of layers) {
    for (const dir of layer.dirs) {
      for (const full of listTs(join(root, dir, 'src'))) {
        const path = toPosix(relative(root, full));
        const info = ts.preProcessFile(readFileSync(full, 'utf8'), true, true);
        const imports: string[] = [];
        const packageImports: { specifier: string; layer: string }[] = [];
        for (const { fileName: specifier } of info.importedFiles) {
          if (specifier.startsWith('.')) {
            const target = resolveRelative(path, specifier);
            if (target) imports.push(target);
            continue;
          }
          const pkg = packageOf(specifier);
          const known = pkg && packages.get(pkg.name);
          if (!pkg || !known) continue;
          packageImports.push({ specifier, layer: known.layer });
          const entry = known.exports[pkg.subpath];
          if (entry) imports.push(toPosix(entry));
        }
        files.push({ path, layer: layer.name, imports, packageImports });
      }
    }
  }
  return files;
}

/** Every file's layer, by path (for relative imports that climb out of their package). */
function layerOfPath(path: string): string | undefined {
  for (const layer of layers) if (layer.dirs.some((d) => path.startsWith(`${toPosix(d)}/`))) return layer.name;
  return undefined;
}

/** Tarjan's algorithm: the strongly connected components with more than one file (or a file importing itself). */
function cycles(files: readonly SourceFile[]): string[][] {
  const edges = new Map(files.map((f) => [f.path, f.imports]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (edges.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const file of files) if (!index.has(file.path)) visit(file.path);
  return found;
}

describe('import graph of the workspace packages', () => {
  const files = readGraph();

  it('reads every package (a sanity check: an empty graph would pass everything)', () => {
    for (const layer of layers) expect(files.filter((f) => f.layer === layer.name).length).toBeGreaterThan(0);
    expect(files.some((f) => f.path === 'kernel/src/kernel.ts' && f.imports.length > 10)).toBe(true);
  });

  it('has no arrow from a package to one above it (plugins → sdk ← kernel ← backend-defaults ← host)', () => {
    const used = new Set<number>();
    const violations: string[] = [];
    for (const file of files) {
      const allowed = new Set([file.layer, ...layers.find((l) => l.name === file.layer)!.mayImport]);
      // Tests, contract suites and fixtures in any package may use the test harness (a devDependency), never shipped code.
      if (isTestFile(file.path)) allowed.add('plugin-testing');
      const targets = [
        ...file.packageImports.map((p) => ({ what: p.specifier, layer: p.layer })),
        ...file.imports.map((p) => ({ what: p, layer: layerOfPath(p) })).filter((t) => t.layer !== undefined && t.layer !== file.layer),
      ];
      for (const target of targets) {
        if (allowed.has(target.layer!)) continue;
        const exception = exceptions.findIndex((e) => file.path.startsWith(e.from) && e.to === target.layer);
        if (exception >= 0) {
          used.add(exception);
          continue;
        }
        violations.push(`${file.path} (${file.layer}) imports ${target.what} (${target.layer})`);
      }
    }
    expect(violations).toEqual([]);
    const stale = exceptions.filter((_, i) => !used.has(i)).map((e) => `${e.from} → ${e.to}: no such import any more, remove the exception`);
    expect(stale).toEqual([]);
  });

  it('imports across packages only through package entries, never by relative path', () => {
    const relativeCrossings = files.flatMap((f) =>
      ts
        .preProcessFile(readFileSync(join(root, f.path), 'utf8'), true, true)
        .importedFiles.filter((i) => i.fileName.startsWith('.'))
        .map((i) => resolveRelative(f.path, i.fileName))
        .filter((target): target is string => target !== undefined && layerOfPath(target) !== f.layer)
        .map((target) => `${f.path} → ${target}`),
    );
    expect(relativeCrossings).toEqual([]);
  });

  it('has no import cycle, type-only imports included', () => {
    expect(cycles(files)).toEqual([]);
  });

  it('finds a cycle when there is one (the detector itself)', () => {
    const a = { path: 'a.ts', layer: 'kernel', imports: ['b.ts'], packageImports: [] };
    const b = { path: 'b.ts', layer: 'kernel', imports: ['c.ts'], packageImports: [] };
    const c = { path: 'c.ts', layer: 'kernel', imports: ['a.ts'], packageImports: [] };
    const d = { path: 'd.ts', layer: 'kernel', imports: ['a.ts'], packageImports: [] };
    expect(cycles([a, b, c, d])).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(cycles([a, b, { ...c, imports: [] }, d])).toEqual([]);
  });
});
