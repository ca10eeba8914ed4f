import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

// axe-core in Chromium against WCAG 2.1 A and AA (labels, names, contrast, landmarks, ARIA). Shared by the browser
// suites: a finding of impact "serious" or "critical" fails them.

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** The page's WCAG 2.1 AA violations; throws when axe did not really look at the page. */
export async function axe(page: Page): Promise<AxeViolation[]> {
  const { violations, passed } = await axeRun(page);
  // A check that passed nothing did not look at the page (axe not loaded, empty document).
  if (passed < 10) throw new Error(`axe passed only ${passed} rules on ${page.url()}`);
  return violations;
}

/** The serious and critical violations, one line each with where they are. */
export function serious(violations: AxeViolation[]): string[] {
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function axeRun(page: Page): Promise<{ violations: AxeViolation[]; passed: number }> {
  // Evaluated through the DevTools protocol: the console's Content-Security-Policy (rightly) refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  // Runs in the page (the test project has no DOM typings): `globalThis` is the window there.
  return page.evaluate(async () => {
    const page = globalThis as unknown as { document: unknown; axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[]; passes: unknown[] }> } };
    const result = await page.axe.run(page.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return {
      violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target })) })),
      passed: result.passes.length,
    };
  });
}
