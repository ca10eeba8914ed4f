/** A tenant's quota from its settings (`settings.quotas.<name>`), or undefined when unlimited. */
export function quotaOf(settings: Readonly<Record<string, unknown>>, name: 'maxUsers' | 'maxApiKeys'): number | undefined {
  const quotas = settings.quotas as Record<string, unknown> | undefined;
  const value = quotas?.[name];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}
