import { CurrencyPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, output, signal } from '@angular/core';
import { ApiClient } from '../../api/api-client';
import { toProblem, type Problem } from '../../api/problem';
import { RequestState } from '../../ui/request-state';
import { toHypotheses, type Hypothesis, type HypothesisResult } from '../lifecycle-data';

/**
 * The AI panel: value hypotheses for a saved model from the tenant's AI provider (or the driver library when none
 * is enabled, which the panel says). Each can be added to the model being edited.
 */
@Component({
  selector: 'vv-hypotheses-panel',
  imports: [CurrencyPipe, RequestState],
  templateUrl: './hypotheses-panel.html',
  styles: `
    h2 {
      margin-top: 0;
    }
    .hint {
      color: var(--vv-muted);
    }
    .items {
      list-style: none;
      padding: 0;
      display: grid;
      gap: 0.75rem;
    }
    .items li {
      border: 1px solid var(--vv-border);
      border-radius: 8px;
      padding: 0.75rem 1rem;
    }
    .items h3 {
      margin: 0 0 0.25rem;
    }
    .meta {
      display: flex;
      flex-wrap: wrap;
      gap: 1rem;
      color: var(--vv-muted);
      font-size: 0.9rem;
    }
    button {
      font: inherit;
      padding: 0.35rem 1rem;
      border-radius: 999px;
      border: 1px solid var(--vv-primary);
      background: var(--vv-surface);
      color: var(--vv-primary);
      cursor: pointer;
    }
    .focus {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: flex-end;
      margin-bottom: 0.75rem;
    }
    .focus label {
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
      flex: 1 1 240px;
    }
    .focus input {
      font: inherit;
      padding: 0.35rem 0.5rem;
      border: 1px solid #747775;
      border-radius: 6px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HypothesesPanel {
  private readonly api = inject(ApiClient);
  readonly modelId = input<string | undefined>(undefined);
  readonly adopt = output<Hypothesis>();
  protected readonly result = signal<HypothesisResult | undefined>(undefined);
  protected readonly busy = signal(false);
  protected readonly problem = signal<Problem | undefined>(undefined);
  protected readonly focus = signal('');
  protected readonly adopted = signal<ReadonlySet<string>>(new Set());

  protected async generate(): Promise<void> {
    const id = this.modelId();
    if (!id) return;
    this.busy.set(true);
    this.problem.set(undefined);
    try {
      const focus = this.focus().trim();
      const body = await this.api.post<unknown>(`/api/v1/value-models/${encodeURIComponent(id)}/hypotheses`, { count: 5, ...(focus ? { focus } : {}) });
      this.result.set(toHypotheses(body));
    } catch (error) {
      this.problem.set(toProblem(error));
    } finally {
      this.busy.set(false);
    }
  }

  protected readonly note = hypothesisNote;

  /** A provider's failure in words a model builder can act on, never its internal address (issue 19, bug 5). */
  protected readonly failure = computed(() => {
    const p = this.problem();
    if (!p || !AI_FAILURES.has(p.code)) return undefined;
    const provider = typeof p.extensions['provider'] === 'string' ? providerName(p.extensions['provider']) : 'The AI provider';
    return `${provider} could not be reached, and this model has no driver-library industry to suggest from instead. An administrator can check the provider's settings under Administration; meanwhile, give the model an industry to get suggestions from the driver library.`;
  });

  protected add(h: Hypothesis): void {
    this.adopt.emit(h);
    this.adopted.update((s) => new Set([...s, h.driver.key]));
  }
}

/** Codes a failing AI provider answers with (the kernel's catalog). */
const AI_FAILURES = new Set(['VV_DEPENDENCY_UNAVAILABLE', 'VV_UPSTREAM_FAILED', 'VV_OUTBOUND_REFUSED', 'VV_TIMEOUT']);

/** `ai-openai` → "OpenAI". */
export function providerName(pluginId: string): string {
  const known: Record<string, string> = { 'ai-openai': 'OpenAI', 'ai-ollama': 'Ollama', 'ai-together': 'Together AI' };
  return known[pluginId] ?? pluginId.replace(/^ai-/, '').replace(/(^|-)(\w)/g, (_m, dash: string, c: string) => (dash ? ' ' : '') + c.toUpperCase());
}

/**
 * Where the hypotheses came from and, when none came, why — in words (issue 19, bug 5): the server's fallback
 * reason is `no AI provider is enabled for this tenant` or `<plugin> failed: <code>`.
 */
export function hypothesisNote(result: HypothesisResult): { source: string; empty: string } {
  if (result.source === 'ai') {
    return {
      source: `From ${providerName(result.provider ?? 'the AI provider')}. Review before use.`,
      empty: 'The AI provider suggested nothing new for this model. Try a focus, or generate again.',
    };
  }
  const reason = result.fallbackReason ?? '';
  const failed = /^(\S+) failed: (.*)$/.exec(reason);
  const why = failed
    ? `${providerName(failed[1]!)} could not be reached, so these come from the driver library. An administrator can check its settings under Administration.`
    : reason
      ? `From the driver library: ${reason}.`
      : 'From the driver library.';
  return {
    source: why,
    empty:
      'Every driver of this industry’s library is already in the model, so the library has nothing to add. An AI provider, enabled under Administration, can suggest drivers beyond it.',
  };
}
