import { VvError, isVvError, type AiChatProvider, type Logger, type ServiceProviders } from '@valueverse/plugin-sdk';
import type { CalculationService } from '@valueverse/plugin-calculation/api';
import { findIndustry, industryKeys } from '../library/driver-library';
import type { ValueModelVersion } from '../value-models-api';
import { aiHypotheses, UnusableAnswerError } from './ai-hypotheses';
import { libraryHypotheses } from './library-hypotheses';
import type { HypothesisResult } from './value-hypothesis';

export interface HypothesisOptions {
  readonly count: number;
  /** Industry to draw on instead of the model's. */
  readonly industry?: string;
  readonly focus?: string;
}

export interface HypothesisGenerator {
  generate(tenantId: string, version: ValueModelVersion, options: HypothesisOptions): Promise<HypothesisResult>;
}

/**
 * Hypotheses from the tenant's AI provider when one is enabled for it, else (or when the provider fails or answers
 * nothing usable) from the driver library. The result names its source.
 */
export function createHypothesisGenerator(deps: { calc: CalculationService; ai?: ServiceProviders<AiChatProvider>; log: Logger }): HypothesisGenerator {
  return {
    async generate(tenantId, version, options) {
      const industryKey = options.industry ?? version.industry;
      const industry = industryKey === null ? undefined : findIndustry(industryKey);
      const base = { modelId: version.id, version: version.version };
      const fromLibrary = async (fallbackReason: string): Promise<HypothesisResult> => {
        if (!industry) {
          const message =
            industryKey === null
              ? 'the model has no industry: give one of the driver library industries'
              : `the driver library has no industry "${industryKey}" (industries: ${industryKeys.join(', ')})`;
          throw VvError.validation([{ pointer: '/industry', message }], `No hypotheses from the driver library: ${message} (${fallbackReason})`);
        }
        return { ...base, source: 'library', provider: null, fallbackReason, hypotheses: await libraryHypotheses(deps.calc, version.model, industry, options) };
      };

      const provider = await deps.ai?.forTenant(tenantId);
      if (!provider) return fromLibrary('no AI provider is enabled for this tenant');
      try {
        const { hypotheses, discarded } = await aiHypotheses(provider.service, tenantId, deps.calc, {
          name: version.name,
          description: version.description,
          currency: version.currency,
          model: version.model,
          industry,
          industryKey,
          count: options.count,
          ...(options.focus === undefined ? {} : { focus: options.focus }),
        });
        return { ...base, source: 'ai', provider: provider.pluginId, ...(discarded > 0 ? { discarded } : {}), hypotheses };
      } catch (error) {
        // Callers get a stable code (or our own sentence about an unusable answer), never the provider's message:
        // it can carry what the backend answered, and a tenant admin chooses the backend (issue #10 finding 4).
        const code = error instanceof UnusableAnswerError ? error.message : isVvError(error) ? error.code : 'VV_UPSTREAM_FAILED';
        deps.log.warn({ err: error, provider: provider.pluginId }, 'AI hypotheses failed; answering from the driver library');
        // Without a library industry there is nothing to fall back to: report the failure by its code (the kernel's
        // own refusal as it is; its message is the kernel's).
        if (!industry && isVvError(error) && error.code === 'VV_OUTBOUND_REFUSED') throw error;
        if (!industry)
          throw new VvError('VV_UPSTREAM_FAILED', {
            params: { service: `AI provider "${provider.pluginId}"`, reason: code },
            extensions: { provider: provider.pluginId },
            cause: error,
          });
        return fromLibrary(`${provider.pluginId} failed: ${code}`);
      }
    },
  };
}
