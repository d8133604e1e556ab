/**
 * Detection for one day on the stored history: reads usage, settings, thresholds and per-log overrides,
 * then hands everything to the pure rules (detect-day.ts). The daily run calls exactly `detectForDay`.
 *
 * Only the history the rules can read is loaded (LOOKBACK); the rules bound every backward scan so
 * that this window gives the same findings as a replay over the whole history (tested).
 */
import type { Settings } from '../config.js';
import { addDays, type Day, toEpochDay } from '../days.js';
import { effectiveBudget } from '../store/controls.js';
import type { Db } from '../store/db.js';
import { readDbHistory, toDetectLogs } from './backtest.js';
import { createDayDetector, type DayResult } from './detect-day.js';
import { MAX_SILENCE_SCAN } from './log-rules.js';
import { DEFAULT_PARAMS, type DetectParams } from './params.js';
import { readDetectionSettings } from './store.js';

export interface DetectForDayResult extends DayResult {
  /** Logs judged (every known log). */
  logs: number;
  /** The parameters in force (global sensitivity and cold start included). */
  params: DetectParams;
  /** Budget in force, bytes per month (Slack setting over MONTHLY_BUDGET), or undefined. */
  monthlyBudget: number | undefined;
}

export interface DetectOptions {
  /** Parameter overrides (backtests of a setting, tests). */
  params?: Partial<DetectParams>;
}

/** Parameters from the settings (cold start) and the database (global sensitivity), then overrides. */
export function detectionParams(
  settings: Settings,
  storedSensitivity: number | undefined,
  overrides: Partial<DetectParams> = {},
): DetectParams {
  return {
    ...DEFAULT_PARAMS,
    coldStartDays: settings.coldStartDays,
    ...(storedSensitivity !== undefined ? { sensitivity: storedSensitivity } : {}),
    ...overrides,
  };
}

/**
 * Calendar days before `day` the rules can read for a log that has data on `day`: the value window
 * (widened), the cold-start horizon and the activity window, counted from the Monday that starts the
 * fortnight (up to 13 days before `day`).
 */
export function quickLookbackDays(p: DetectParams): number {
  return Math.max(p.windowDays, p.activityDays, p.coldStartDays) + 14;
}

/** Calendar days before `day` the rules can read with these parameters (a silence traced back included). */
export function lookbackDays(p: DetectParams): number {
  // A silence traced back MAX_SILENCE_SCAN days, then its activity window / cold-start horizon before it;
  // or the model window of the fortnight's Monday.
  return Math.max(MAX_SILENCE_SCAN + Math.max(p.activityDays, p.coldStartDays, p.windowDays) + 1, quickLookbackDays(p));
}

export function detectForDay(db: Db, day: Day, settings: Settings, opts: DetectOptions = {}): DetectForDayResult {
  const stored = readDetectionSettings(db);
  const params = detectionParams(settings, stored.sensitivity, opts.params);
  const monthlyBudget = effectiveBudget(db, settings.monthlyBudget).bytes;
  const from = addDays(day, -lookbackDays(params));
  const h = readDbHistory(db, from, day, { quickFrom: addDays(day, -quickLookbackDays(params)) });
  const detector = createDayDetector(params);
  const t = toEpochDay(day) - toEpochDay(from);
  const logs = toDetectLogs(h, params, stored.overrides);
  const r = detector.detect({
    days: h.days,
    t,
    observed: h.observed,
    firstObserved: h.firstObserved,
    org: h.org,
    logs,
    thresholds: stored.thresholds,
    monthlyBudget,
    params,
  });
  return { ...r, logs: logs.length, params, monthlyBudget };
}
