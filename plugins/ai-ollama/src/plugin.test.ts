import path from 'node:path';
import { describeOpenAiCompatibleProvider } from '@valueverse/plugin-ai-openai/testing';
import { defaults } from './plugin';

describeOpenAiCompatibleProvider({ dir: path.resolve(__dirname, '..'), defaults, apiKeyRequired: false });
