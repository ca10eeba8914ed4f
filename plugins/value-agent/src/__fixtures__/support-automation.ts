import type { ValueModel } from '@valueverse/plugin-calculation/api';

/** What a scripted model drafts for "build a support automation case for 400 agents": 400 × 120 h × $45 = $2.16M a year. */
export const supportAutomationModel: ValueModel = {
  horizon: 3,
  discountRate: 0.1,
  drivers: [
    { name: 'agents', unit: 'people', value: 400, distribution: { type: 'pert', min: 350, mode: 400, max: 420 }, description: 'Support agents' },
    { name: 'hours_saved', unit: 'h/agent-year', value: 120, distribution: { type: 'triangular', min: 60, mode: 120, max: 160 }, description: 'Hours saved per agent' },
    { name: 'loaded_hourly_rate', unit: 'USD/h', value: 45, description: 'Loaded hourly rate' },
  ],
  formulas: [{ name: 'savings', unit: 'USD/year', expression: 'agents * hours_saved * loaded_hourly_rate' }],
  benefit: 'savings',
  costs: { upfront: 500000, recurring: 150000 },
};

/** The `draft_model` call's arguments. */
export const draftSupportCase = {
  name: 'Support automation (400 agents)',
  description: 'AI-assisted ticket handling for a 400-agent support team',
  industry: 'software',
  currency: 'USD',
  model: supportAutomationModel,
};

/** Parses a text/event-stream body into its frames. */
export function sseFrames(text: string): { event: string; data: any }[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data: JSON.parse(data) };
    });
}
