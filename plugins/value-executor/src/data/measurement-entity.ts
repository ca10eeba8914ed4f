import { EntitySchema } from '@mikro-orm/core';

/** One actual value of a commitment's metric at a point in time (a cumulative reading unless the metric says otherwise). */
export interface MeasurementRow {
  id: string;
  tenantId: string;
  commitmentId: string;
  metric: string;
  value: number;
  measuredAt: Date;
  /** `api`, `csv`, `event:<plugin>` or what the caller named. */
  source: string;
  /** Free text from whoever reported the value (at most 1000 characters), or null. */
  note: string | null;
  /** Why this reading corrects earlier ones (`0004-measurement-corrections`), or null. */
  correctionReason: string | null;
  /** The correction that replaced this reading, or null while it counts. */
  supersededBy: string | null;
  importId: string | null;
  recordedBy: string | null;
  recordedAt: Date;
}

// Every property has an explicit type (a `string | null` without one becomes varchar(255)/any); `runtimeType`
// makes MikroORM hand out the double as a number rather than a string.
export const MeasurementEntity = new EntitySchema<MeasurementRow>({
  name: 'ValueExecutorMeasurement',
  schema: 'value_executor',
  tableName: 'measurements',
  properties: {
    id: { type: 'uuid', primary: true },
    tenantId: { type: 'text', fieldName: 'tenant_id' },
    commitmentId: { type: 'text', fieldName: 'commitment_id' },
    metric: { type: 'text' },
    value: { type: 'double', runtimeType: 'number' },
    measuredAt: { type: 'datetime', fieldName: 'measured_at', columnType: 'timestamptz' },
    source: { type: 'text' },
    note: { type: 'text', nullable: true },
    correctionReason: { type: 'text', fieldName: 'correction_reason', nullable: true },
    supersededBy: { type: 'uuid', fieldName: 'superseded_by', nullable: true },
    importId: { type: 'uuid', fieldName: 'import_id', nullable: true },
    recordedBy: { type: 'text', fieldName: 'recorded_by', nullable: true },
    recordedAt: { type: 'datetime', fieldName: 'recorded_at', columnType: 'timestamptz' },
  },
});
