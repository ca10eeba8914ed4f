import type { ValueModelsService } from '@valueverse/plugin-value-architect/api';
import { commitment, linearModel } from '../__fixtures__/amplifier-commitments';
import { committedModel, withDriverValues } from './committed-model';

describe('committedModel', () => {
  const c = commitment('c', { drivers: [{ key: 'a', label: 'A', unit: 'u', value: 100 }] });

  it('reads the committed version and sets its drivers to the committed values', async () => {
    const models: ValueModelsService = {
      create: () => Promise.reject(new Error('read-only fake')),
      update: () => Promise.reject(new Error('read-only fake')),
      find: async () => [],
      getVersion: async (tenantId, id, version) =>
        tenantId === 'acme' && id === 'model-c' && version === 1
          ? {
              id,
              tenantId,
              version,
              name: 'm',
              description: null,
              industry: null,
              status: 'published',
              currency: 'USD',
              model: linearModel,
              origin: null,
              createdBy: 'u',
              createdAt: '2026-01-01T00:00:00.000Z',
            }
          : undefined,
    };
    const found = await committedModel(c, models);
    expect(found.source).toBe('value-model');
    expect(found.model.drivers.find((d) => d.name === 'a')?.value).toBe(100);
    expect(found.model.drivers.find((d) => d.name === 'b')?.value).toBe(1);
    expect((await committedModel({ ...c, modelVersion: 2 }, models)).source).toBe('surrogate');
  });

  it('uses the surrogate without value-architect', async () => {
    expect(await committedModel(c, undefined)).toMatchObject({ source: 'surrogate', model: { benefit: '1000 * (a / 100)' } });
  });

  it('moves only the drivers named', () => {
    const moved = withDriverValues(linearModel, new Map([['a', 7]]));
    expect(moved.drivers.map((d) => d.value)).toEqual([7, 1, 1, 1, 5]);
  });
});
