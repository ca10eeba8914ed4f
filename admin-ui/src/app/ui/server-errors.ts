import type { AbstractControl } from '@angular/forms';
import type { FieldProblem } from '../api/problem';

/** The control a JSON pointer names (`/a/b` → a.b), or undefined. */
export function controlAt(root: AbstractControl, pointer: string): AbstractControl | undefined {
  if (!pointer || pointer === '/') return undefined;
  const path = pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  return root.get(path) ?? undefined;
}

/**
 * Puts the server's field problems on the controls their pointers name, as a `server` error the templates show
 * like any other; returns the messages that match no control, for a summary.
 */
export function applyServerErrors(root: AbstractControl, problems: readonly FieldProblem[], prefix = ''): string[] {
  const unmatched: string[] = [];
  for (const problem of problems) {
    const pointer = prefix && problem.pointer.startsWith(prefix) ? problem.pointer.slice(prefix.length) : problem.pointer;
    const control = controlAt(root, pointer);
    if (!control) {
      unmatched.push(pointer ? `${pointer}: ${problem.message}` : problem.message);
      continue;
    }
    control.setErrors({ ...(control.errors ?? {}), server: problem.message });
    control.markAsTouched();
  }
  return unmatched;
}
