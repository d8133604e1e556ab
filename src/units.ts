/**
 * Byte sizes and durations as people write them in settings and slash commands.
 * Sizes: SI (1 GB = 10^9 bytes) and IEC (1 GiB = 2^30 bytes), case-insensitive, never bits.
 * Durations: `12h`, `3d`, `2w` (also `30m`), returned in milliseconds.
 */

const SI: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, pb: 1e15 };
const IEC: Record<string, number> = {
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  pib: 2 ** 50,
};
/** Single letters people type: `500M`, `2T` (SI). */
const SHORT: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

export const SIZE_EXAMPLE = '500MB, 1.5 TB or 750 GiB';
export const DURATION_EXAMPLE = '12h, 3d or 2w';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

const SIZE_RE = /^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*([a-z]*)$/i;

/**
 * Parses a byte size written with a unit; the result is a whole number of bytes (rounded) within
 * Number.MAX_SAFE_INTEGER. A number without a unit is refused: `30` for a budget is almost surely not 30 bytes.
 */
export function parseSize(input: string): ParseResult<number> {
  const raw = String(input ?? '').trim();
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  const fail = (why: string): ParseResult<number> => ({
    ok: false,
    error: `"${shown}" is not a size${why ? ` (${why})` : ''}: write a number and a unit, e.g. ${SIZE_EXAMPLE}`,
  });
  if (raw === '') return { ok: false, error: `a size is missing: write e.g. ${SIZE_EXAMPLE}` };
  if (/^-/.test(raw)) return fail('it cannot be negative');
  const m = SIZE_RE.exec(raw);
  if (!m) return fail('');
  const num = Number(m[1]);
  const unitRaw = m[2] ?? '';
  if (/bits?$/i.test(unitRaw)) return fail('bits are not accepted; use bytes');
  if (/^[kmgtp]?i?b?ps$/i.test(unitRaw)) return fail('that is a rate; use bytes');
  const unit = unitRaw.toLowerCase();
  if (unit === '') return fail('a unit is needed');
  const factor = SI[unit] ?? IEC[unit] ?? SHORT[unit];
  if (factor === undefined) return fail(`unknown unit "${unitRaw}"`);
  const bytes = Math.round(num * factor);
  if (!Number.isFinite(bytes) || bytes > Number.MAX_SAFE_INTEGER) return fail('too large');
  return { ok: true, value: bytes };
}

const UNITS_SI = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Formats bytes with SI units and at most 3 significant digits: 1_500_000_000 → "1.5 GB", 999_950 → "1 MB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  let v = Math.abs(bytes);
  if (Math.round(v) === 0) return '0 B';
  const sign = bytes < 0 ? '-' : '';
  let i = 0;
  if (Math.round(v) < 1000) return `${sign}${Math.round(v)} B`;
  while (i < UNITS_SI.length - 1 && Number(v.toPrecision(3)) >= 1000) {
    v /= 1000;
    i++;
  }
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  const fixed = v.toFixed(digits);
  const text = digits === 0 ? fixed : fixed.replace(/0+$/, '').replace(/\.$/, '');
  return `${sign}${text} ${UNITS_SI[i]}`;
}

const DURATION_RE = /^([0-9]{1,6})\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|wk|wks|weeks?)$/i;
const MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
/** Longest duration accepted: one year. */
export const MAX_DURATION_MS = 366 * 86_400_000;

/** Parses `12h`, `3d`, `2w`, `30m` into milliseconds (positive, at most a year). */
export function parseDuration(input: string): ParseResult<number> {
  const raw = String(input ?? '').trim();
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  if (raw === '') return { ok: false, error: `a duration is missing: write e.g. ${DURATION_EXAMPLE}` };
  const m = DURATION_RE.exec(raw);
  if (!m) return { ok: false, error: `"${shown}" is not a duration: write e.g. ${DURATION_EXAMPLE}` };
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase().startsWith('min') ? 'm' : (m[2] ?? '').toLowerCase()[0];
  const ms = n * (MS[unit ?? ''] ?? Number.NaN);
  if (!Number.isFinite(ms) || ms <= 0) {
    return { ok: false, error: `"${shown}" must be longer than zero: write e.g. ${DURATION_EXAMPLE}` };
  }
  if (ms > MAX_DURATION_MS) return { ok: false, error: `"${shown}" is longer than a year: write e.g. ${DURATION_EXAMPLE}` };
  return { ok: true, value: ms };
}

/** Formats milliseconds as the largest whole unit: 172_800_000 → "2d". */
export function formatDuration(ms: number): string {
  for (const [u, f] of [
    ['w', MS.w],
    ['d', MS.d],
    ['h', MS.h],
    ['m', MS.m],
  ] as const) {
    if (f !== undefined && ms >= f && ms % f === 0) return `${ms / f}${u}`;
  }
  if (ms >= 3_600_000) return `${Math.round(ms / 3_600_000)}h`;
  return `${Math.max(1, Math.round(ms / 60_000))}m`;
}
