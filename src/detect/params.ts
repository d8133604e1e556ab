/**
 * Detection parameters and their defaults. Pure. Every default is explained in docs/detection.md;
 * the short reason is repeated here next to each value.
 *
 * Units: bytes per UTC day for sizes; counts of days or of observations as named.
 */

export interface DetectParams {
  /** Observed days of history a log needs (since it first sent data) before spike/drop/silent findings. */
  coldStartDays: number;
  /**
   * Band width multiplier (the "sensitivity" setting): 1 = default band; 2 = twice as wide (fewer
   * alerts); 0.5 = half as wide (more alerts). Scales the statistical threshold and the relative floor.
   */
  sensitivity: number;
  /** Absolute floor: a spike or drop must change the day by at least this many bytes. */
  minBytes: number;
  /** Relative floor for spikes: the day must be at least this multiple of the expected bytes (at sensitivity 1). */
  spikeRatio: number;
  /** Relative floor for drops: the day must be at most this fraction of the expected bytes (at sensitivity 1). */
  dropRatio: number;
  /** Robust z threshold (in units of the log's own day-to-day noise, log scale) at sensitivity 1. */
  zAlert: number;
  /** Calendar days of history read for the weekday profile and the noise scale. */
  windowDays: number;
  /** Calendar days of history read for how reliably a log reports (silence statistics). */
  activityDays: number;
  /** Calendar days of history whose median is the current level. */
  levelDays: number;
  /** Observations a change must persist (including the current day) to become the new normal. */
  persistDays: number;
  /** Non-zero observations needed after "Mark as expected" (baseline_from) before spikes and drops are judged again. */
  relearnValues: number;
  /**
   * A log is "reliable" when its silences begin on at most this many days per calendar day observed
   * (per reporting day for a daily log; a weekly job may miss up to 15 % of its runs).
   */
  reliableHazard: number;
  /** For intermittent logs: a silence is unusual when its probability under the log's own zero rate is below this. */
  intermittentP: number;
}

/** Defaults; see docs/detection.md ("Why these defaults"). */
export const DEFAULT_PARAMS: DetectParams = {
  // Two weeks: every weekday seen twice before the first statistical judgement (SPEC §6).
  coldStartDays: 14,
  sensitivity: 1,
  // 5 MB/day (≈ 150 MB a month): a change (a silence included) smaller than this is invisible on the bill
  // and on a dashboard whatever its ratio; logs this small are debug or heartbeat sources whose volume
  // is mostly noise. A critical small source gets a per-log min_bytes (0 = no floor).
  minBytes: 5_000_000,
  // Doubled / down to 40 %: changes a person notices on a bill or a dashboard, far above the lag a
  // 28-day median has behind steady growth (2× in two months ≈ 17 %). Drops are held to a stricter
  // ratio because partial ingestion, late data and agent restarts routinely take up to half of a day.
  spikeRatio: 2,
  dropRatio: 0.4,
  // 5 robust standard deviations: ≈ 1 in 3.5 million days for Gaussian noise; leaves room for the heavier
  // tails of real usage.
  zAlert: 5,
  windowDays: 56,
  // 13 weeks: a weekly job gets 13 chances to show it never misses its day.
  activityDays: 91,
  levelDays: 28,
  persistDays: 7,
  relearnValues: 5,
  reliableHazard: 0.05,
  intermittentP: 1e-4,
};

/** Named sensitivities people can type; numbers are band multipliers. */
export const SENSITIVITY_NAMES: Record<string, number> = { low: 1.5, normal: 1, medium: 1, high: 0.7 };

/**
 * Reads a sensitivity value as stored (JSON number or name) or typed; undefined when it is not one.
 * Accepted: a positive number from 0.1 to 10 (band multiplier), or low | normal | medium | high.
 */
export function parseSensitivity(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0.1 && v <= 10 ? v : undefined;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s in SENSITIVITY_NAMES) return SENSITIVITY_NAMES[s];
    if (/^\d+(\.\d+)?$/.test(s)) return parseSensitivity(Number(s));
  }
  if (v && typeof v === 'object' && 'value' in v) return parseSensitivity((v as { value: unknown }).value);
  return undefined;
}
