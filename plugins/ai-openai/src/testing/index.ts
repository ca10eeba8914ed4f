export { describeOpenAiCompatibleProvider, type OpenAiCompatibleProviderContractOptions } from './openai-compatible-provider.contract';
