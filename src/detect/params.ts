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
  /**
   * Materiality: a spike or drop must move the day by at least √(materialBytes · expected) bytes — the
   * geometric mean of the log's usual day and a day that shows on a bill — i.e. a share √(materialBytes /
   * expected) of its usual day, at most materialCapUp (spikes) / materialCapDown (drops), times the
   * sensitivity. The floor in bytes grows with the log's level, the share needed falls with it.
   */
  materialBytes: number;
  materialCapUp: number;
  materialCapDown: number;
  /** Robust z threshold (in units of the log's own day-to-day noise, log scale) at sensitivity 1. */
  zAlert: number;
  /**
   * Heavy tails: a day this many times its usual (or this fraction's inverse below it) is clear as long as it is
   * also `tailZ` robust deviations away, even when `zAlert` deviations would ask for more.
   */
  unmistakableRatio: number;
  tailZ: number;
  /**
   * Evidence over consecutive observations: up to `evidenceDays` days in a row, each at least `evidenceDayZ`
   * deviations away and material in the same direction, are clear together when their summed deviation reaches
   * `evidenceZ`·√k (k days).
   */
  evidenceDays: number;
  evidenceDayZ: number;
  evidenceZ: number;
  /**
   * Calendar days of a log's life (since its first data) during which a fall is its level settling after an
   * onboarding burst or backfill, not a drop: no drop finding, the new level is learnt.
   */
  settleDays: number;
  /**
   * The organisation's holidays (`HOLIDAYS`, SPEC §2): `YYYY-MM-DD` dates and every-year `MM-DD` dates. A
   * holiday is one organisation finding; the logs that dip on it are not alerted and keep it out of their
   * baselines (SPEC §6.4, src/detect/org-days.ts).
   */
  holidays: readonly string[];
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
  // 1 GB a day (≈ 30 GB a month: where a source shows on an ingestion bill). A 200 GB log's floor is
  // 14 GB (+7 %), a 10 GB log's 3.2 GB (+32 %); logs of 1 GB and less keep the classic doubling / fall to
  // 40 % (the caps), so ×3 of a 2 MB log is not told. (docs/detection.md, "Material and clear".)
  materialBytes: 1e9,
  materialCapUp: 1,
  materialCapDown: 0.6,
  // 5 robust standard deviations: ≈ 1 in 3.5 million days for Gaussian noise; leaves room for the heavier
  // tails of real usage.
  zAlert: 5,
  // A tripling (or a fall to a third) is unmistakable to a person whatever the log's noise, once it is also
  // 3.5 robust deviations away: on a noisy log (σ > 22 %) the z line alone would hide ×3.7.
  unmistakableRatio: 3,
  tailZ: 3.5,
  // Three days: a multi-day change is told at the latest on its third day. Each day ≥ 2 deviations away
  // (one outlier cannot make a run) and together ≥ 3.5·s(k): ≈ 1e-4 per log-day for independent Gaussian
  // days, under the false-alert budget, and s(k) grows with the log's memory.
  evidenceDays: 3,
  evidenceDayZ: 2,
  evidenceZ: 3.5,
  // Two cold starts: a log's first month often holds an onboarding backfill.
  settleDays: 28,
  holidays: [],
  windowDays: 56,
  // 13 weeks: a weekly job gets 13 chances to show it never misses its day.
  activityDays: 91,
  // Two weeks: every weekday twice, robust to a 3-day event, short enough to follow a wandering level.
  levelDays: 14,
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
