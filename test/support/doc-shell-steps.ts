import { readFileSync } from 'node:fs';

/** One shell block of a document, as a reader would copy it. */
export interface DocShellStep {
  readonly name: string;
  readonly script: string;
  /** 1-based line of the opening fence, for failure messages. */
  readonly line: number;
}

// A fenced block opened with ```sh vv-step=<name>: renderers show it as shell (they read the first word of the info
// string only); tests find it by name and run it as written.
const FENCE = /^```sh vv-step=([a-z0-9-]+)\s*$/;

/** The named shell blocks of a Markdown file, in document order; a name used twice is an error. */
export function docShellSteps(markdownPath: string): DocShellStep[] {
  const lines = readFileSync(markdownPath, 'utf8').split('\n');
  const steps: DocShellStep[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const name = FENCE.exec(lines[i]!)?.[1];
    if (name === undefined) continue;
    const end = lines.indexOf('```', i + 1);
    if (end === -1) throw new Error(`${markdownPath}:${i + 1}: step "${name}" has no closing fence`);
    if (steps.some((s) => s.name === name)) throw new Error(`${markdownPath}:${i + 1}: step "${name}" appears twice`);
    steps.push({ name, script: lines.slice(i + 1, end).join('\n'), line: i + 1 });
    i = end;
  }
  return steps;
}
