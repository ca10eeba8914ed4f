import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { AIMessage } from '@langchain/core/messages';
import type { ChatGeneration, LLMResult } from '@langchain/core/outputs';
import type { AiUsage } from '@valueverse/plugin-sdk';

/** Token counts of one model call, from the completion's `usage` as LangChain reports it. */
export function usageOf(output: LLMResult): Omit<AiUsage, 'provider' | 'model'> | undefined {
  // Non-streaming calls report `llmOutput.tokenUsage`; streamed ones only carry usage on the aggregated message.
  const reported = output.llmOutput?.tokenUsage as { promptTokens?: number; completionTokens?: number; totalTokens?: number } | undefined;
  if (reported && (reported.promptTokens !== undefined || reported.completionTokens !== undefined)) {
    const promptTokens = reported.promptTokens ?? 0;
    const completionTokens = reported.completionTokens ?? 0;
    return { promptTokens, completionTokens, totalTokens: reported.totalTokens ?? promptTokens + completionTokens };
  }
  let found: { promptTokens: number; completionTokens: number; totalTokens: number } | undefined;
  for (const generation of output.generations.flat()) {
    const usage = ((generation as ChatGeneration).message as AIMessage | undefined)?.usage_metadata;
    if (!usage) continue;
    found ??= { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
    found.promptTokens += usage.input_tokens;
    found.completionTokens += usage.output_tokens;
    found.totalTokens += usage.total_tokens;
  }
  return found;
}

/** The model name the backend reported for a call, if any. */
function modelOf(output: LLMResult): string | undefined {
  for (const generation of output.generations.flat()) {
    const name = ((generation as ChatGeneration).message as AIMessage | undefined)?.response_metadata?.model_name;
    if (typeof name === 'string' && name !== '') return name;
  }
  return undefined;
}

/**
 * A LangChain callback attached to each tenant's model: after every successful call it reports the token usage.
 * Awaited (not run in LangChain's background queue), so the report is out before `invoke` returns, and bound to
 * one tenant because models are cached per tenant.
 */
export class UsageReporter extends BaseCallbackHandler {
  name = 'valueverse-ai-usage';

  constructor(
    private readonly model: string,
    private readonly report: (usage: Omit<AiUsage, 'provider'>) => Promise<void>,
  ) {
    super({ _awaitHandler: true });
  }

  /** Stateless: LangChain may copy handlers, and a copy must keep reporting for the same tenant. */
  override copy(): UsageReporter {
    return this;
  }

  override async handleLLMEnd(output: LLMResult): Promise<void> {
    const usage = usageOf(output);
    if (usage) await this.report({ model: modelOf(output) ?? this.model, ...usage });
  }
}
