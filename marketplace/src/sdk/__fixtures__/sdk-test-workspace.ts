import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Parser } from 'tar';

const written: string[] = [];

/** Writes `files` (path → text; objects become JSON) under a fresh temporary folder and returns it. */
export function writeTree(files: Record<string, string | object>, prefix = 'vv-sdk-test-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  written.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
  return root;
}

/** Removes every folder `writeTree` made (call from `afterAll`). */
export function removeTrees(): void {
  for (const root of written.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** A tarball's entries, by path, with their text and mode, read the way npm reads them (node-tar). */
export async function readTarball(tarball: Buffer): Promise<Map<string, { text: string; mode: number }>> {
  const entries = new Map<string, { text: string; mode: number }>();
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => entries.set(entry.path, { text: Buffer.concat(chunks).toString('utf8'), mode: entry.mode ?? 0 }));
      },
    });
    parser.on('end', resolve);
    parser.on('error', reject);
    parser.end(tarball);
  });
  return entries;
}
