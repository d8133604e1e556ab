/**
 * Detection for one day on the stored history: reads usage, settings, thresholds and per-log overrides,
 * then hands everything to the pure rules (detect-day.ts). The daily run calls exactly `detectForDay`.
 *
 * Every log's last quickLookbackDays are read first; the rules bound every backward scan and report
 * `incomplete` when they would need older data, and only those logs are read over lookbackDays. The
 * findings are those of a replay over the whole history (tested: test/unit/detect/no-look-ahead.test.ts,
 * test/integration/pipeline/detect.test.ts).
 */
import type { Settings } from '../config.js';
import { addDays, type Day, toEpochDay } from '../days.js';
import { toDetectLogs } from '../detect/backtest.js';
import { composeDay, type DayResult, type JudgedLog } from '../detect/detect-day.js';
import { createLogDetector, type LogDayResult, MAX_SILENCE_SCAN } from '../detect/log-rules.js';
import { findOrgDays, holidaysOf, ORG_DAY_REACH } from '../detect/org-days.js';
import { DEFAULT_PARAMS, type DetectParams } from '../detect/params.js';
import { effectiveBudget } from '../store/controls.js';
import type { Db } from '../store/db.js';
import { readDetectionSettings } from '../store/detection-settings.js';
import { extendHistory, readDbHistory } from '../store/history.js';
import { internalLogIds } from '../store/usage.js';

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
    holidays: settings.holidays,
    ...(storedSensitivity !== undefined ? { sensitivity: storedSensitivity } : {}),
    ...overrides,
  };
}

/**
 * Calendar days read first for every log on `day`: enough for a log with regular data (the model window
 * before the Monday that starts the fortnight, as log-rules.ts counts it, and the cold start). A log whose
 * rules need more says so (`incomplete`) and is read again over `lookbackDays`, so any value is correct;
 * this one is just right for most logs. Without a day: the longest (70 days at the defaults).
 */
export function quickLookbackDays(p: DetectParams, day?: Day): number {
  if (day === undefined) return p.windowDays + 14;
  const e = toEpochDay(day);
  const weekMonday = e - ((((e + 4) % 7) + 6) % 7);
  const monday = weekMonday - (Math.floor((weekMonday - 4) / 7) % 2) * 7;
  return e - monday + p.windowDays + 1;
}

/** Calendar days before `day` the rules can read with these parameters (a silence traced back included). */
export function lookbackDays(p: DetectParams): number {
  // A silence traced back MAX_SILENCE_SCAN days, then its activity window / cold-start horizon before it;
  // or a sparse log's model window, widened to activityDays before the fortnight's Monday; or the recurring
  // bursts of activityDays, each against the levelDays before it.
  return Math.max(
    MAX_SILENCE_SCAN + Math.max(p.activityDays, p.coldStartDays, p.windowDays) + 1,
    Math.max(p.activityDays, p.coldStartDays) + 14,
    p.activityDays + p.levelDays,
  );
}

export function detectForDay(db: Db, day: Day, settings: Settings, opts: DetectOptions = {}): DetectForDayResult {
  const stored = readDetectionSettings(db);
  const params = detectionParams(settings, stored.sensitivity, opts.params);
  const monthlyBudget = effectiveBudget(db, settings.monthlyBudget).bytes;
  const from = addDays(day, -lookbackDays(params));
  const quickFrom = addDays(day, -quickLookbackDays(params, day));
  // Every log is read ORG_DAY_REACH days before what its rules read, so that the organisation-wide days
  // of that range are those of a replay (each reads the two weeks before it).
  const h = readDbHistory(db, from, day, { quickFrom: addDays(quickFrom, -ORG_DAY_REACH) });
  const t = toEpochDay(day) - toEpochDay(from);
  const day0 = toEpochDay(from);
  const loaded = toEpochDay(quickFrom) - day0;
  // Organisation-wide days over what the rules of most logs read. A log read again in full below sees no
  // organisation-wide day before that range (docs/detection.md: the one way a daily run can differ from a
  // replay; it needs a sparse log or a long silence and a holiday more than ten weeks back).
  const orgDays = findOrgDays(h.logs, h.days, h.observed, holidaysOf(params.holidays), loaded, t);
  const logs = toDetectLogs(h, params, stored.overrides, { replay: false, excluded: orgDays.excluded });
  const detector = createLogDetector(params);
  const ctx = {
    days: h.days,
    t,
    observed: h.observed,
    firstObserved: h.firstObserved,
    org: h.org,
    logs,
    thresholds: stored.thresholds,
    monthlyBudget,
    params,
    orgDays: orgDays.days,
  };
  if (h.observed[t] !== 1) return { ...composeDay(ctx, []), logs: logs.length, params, monthlyBudget };
  // Every log on its last days first; the few whose rules need more history are read again in full.
  const results: LogDayResult[] = logs.map((l) => detector.evaluate({ ...l, knownFrom: loaded }, t, day0, h.firstObserved));
  const redo = results.flatMap((r, i) => (r.incomplete ? [i] : []));
  extendHistory(db, h, redo);
  for (const i of redo) {
    const ex = orgDays.excluded.get(i);
    const [full] = toDetectLogs({ ...h, logs: [h.logs[i]!] }, params, stored.overrides, {
      replay: false,
      ...(ex ? { excluded: new Map([[0, ex]]) } : {}),
    });
    logs[i] = full!;
    results[i] = detector.evaluate(full!, t, day0, h.firstObserved);
  }
  const judged: JudgedLog[] = [];
  results.forEach((r, i) => {
    if (r.verdict || r.silence) judged.push({ log: i, result: r });
  });
  const r = composeDay(ctx, judged);
  return { ...holdInternal(db, r, settings), logs: logs.length, params, monthlyBudget };
}

/** Kinds an internal log raises only with WATCH_INTERNAL_LOGS=true (thresholds that name it always count). */
const INTERNAL_QUIET_KINDS = new Set(['spike', 'drop', 'silent', 'new']);

/**
 * Platform-internal logs (SPEC §4) are judged like every log, but their spike/drop/silent/new findings are
 * kept apart with the muted ones (not posted) unless `watchInternalLogs`.
 */
function holdInternal(db: Db, r: DayResult, settings: Pick<Settings, 'watchInternalLogs'>): DayResult {
  if (settings.watchInternalLogs || r.findings.length === 0) return r;
  const internal = internalLogIds(db);
  if (internal.size === 0) return r;
  const quiet = (f: DayResult['findings'][number]) => f.logId !== null && internal.has(f.logId) && INTERNAL_QUIET_KINDS.has(f.kind);
  return { ...r, findings: r.findings.filter((f) => !quiet(f)), muted: [...r.muted, ...r.findings.filter(quiet)] };
}
