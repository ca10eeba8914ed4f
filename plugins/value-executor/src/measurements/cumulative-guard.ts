/** A stored reading that counts (not superseded by a correction). */
export interface EffectiveReading {
  readonly id: string;
  readonly value: number;
  readonly measuredAt: Date;
}

/** A new reading of the same cumulative series, in the order the request gave it. */
export interface NewReading {
  readonly index: number;
  readonly value: number;
  readonly measuredAt: Date;
  /** Set when the request says the reading corrects earlier ones. */
  readonly correctionReason: string | null;
}

/** Why a new reading would make the series fall: `value` falls below `previous` (taken at `previousDate`). */
export interface DecreaseProblem {
  readonly index: number;
  readonly value: number;
  readonly previous: number;
  readonly previousDate: string;
  readonly later: boolean;
}

export interface GuardResult {
  readonly problems: readonly DecreaseProblem[];
  /** For each correction (by index): the earlier readings it supersedes. */
  readonly supersedes: ReadonlyMap<number, readonly EffectiveReading[]>;
}

const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * Keeps a cumulative series from falling (issue #11, item 3). Taking the new readings in time order, each must be at
 * least every counted reading at or before its time and at most every one after it. A correction (a reading with a
 * reason) may be lower than earlier readings: those are superseded — left out of realization from then on, kept
 * in the table with a pointer to the correction — but it may not fall below a later one either.
 */
export function guardCumulative(existing: readonly EffectiveReading[], incoming: readonly NewReading[]): GuardResult {
  let counted: { id: string | null; value: number; t: number }[] = existing.map((r) => ({ id: r.id, value: r.value, t: r.measuredAt.getTime() }));
  const problems: DecreaseProblem[] = [];
  const supersedes = new Map<number, EffectiveReading[]>();
  const ordered = [...incoming].sort((a, b) => a.measuredAt.getTime() - b.measuredAt.getTime() || a.index - b.index);
  for (const reading of ordered) {
    const t = reading.measuredAt.getTime();
    if (reading.correctionReason !== null) {
      const replaced = counted.filter((r) => r.t <= t && r.value > reading.value);
      if (replaced.length > 0) {
        supersedes.set(
          reading.index,
          replaced.filter((r) => r.id !== null).map((r) => ({ id: r.id!, value: r.value, measuredAt: new Date(r.t) })),
        );
        counted = counted.filter((r) => !replaced.includes(r));
      }
    }
    const before = counted.filter((r) => r.t <= t).reduce<(typeof counted)[number] | undefined>((max, r) => (!max || r.value > max.value ? r : max), undefined);
    const after = counted.filter((r) => r.t > t).reduce<(typeof counted)[number] | undefined>((min, r) => (!min || r.value < min.value ? r : min), undefined);
    if (before && reading.value < before.value) {
      problems.push({ index: reading.index, value: reading.value, previous: before.value, previousDate: isoDay(new Date(before.t)), later: false });
    } else if (after && after.value < reading.value) {
      // The reading is fine on its own, but a later one would then fall below it.
      problems.push({ index: reading.index, value: after.value, previous: reading.value, previousDate: isoDay(reading.measuredAt), later: true });
    } else {
      counted.push({ id: null, value: reading.value, t });
    }
  }
  return { problems, supersedes };
}
