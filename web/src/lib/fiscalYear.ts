/**
 * The fiscal year label (`2026-2027`) of an ISO date, for a year starting on the 1st of
 * `startMonth` (1–12): `{first calendar year}-{last calendar year}`, so a January start
 * gives `2026-2026` (docs/rules.md).
 */
export function fiscalYearOf(date: string, startMonth: number): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const start = Number.isInteger(startMonth) && startMonth >= 1 && startMonth <= 12 ? startMonth : 7;
  const first = month >= start ? year : year - 1;
  const last = start === 1 ? first : first + 1;
  return `${first}-${last}`;
}

export const isFiscalYear = (s: string | null | undefined): s is string => !!s && /^\d{4}-\d{4}$/.test(s);
