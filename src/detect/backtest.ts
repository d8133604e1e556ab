/**
 * Backtest: replay detection day by day over a whole history, exactly as the daily run would have
 * judged each day (the same `detectDay`, fed the same arrays; day t reads only indices ≤ t).
 * Pure: the history comes in as arrays, read from a CSV file (`readCsvHistory` in usage-csv.ts) or from the
 * database (`readDbHistory` in store/history.ts).
 */
import { type Day, toEpochDay } from '../days.js';
import { AppError } from '../errors.js';
import { composeDay, type DayResult, type DetectLog, type JudgedLog } from './detect-day.js';
import { createLogDetector, type LogSeries, NEVER, NO_RESET } from './log-rules.js';
import { findOrgDays, holidaysOf, type OrgDay, withoutOrgDays } from './org-days.js';
import type { ThresholdRule } from './org-rules.js';
import type { DetectParams } from './params.js';
import type { Finding, FindingKind } from './types.js';

export interface HistoryLog {
  id: string;
  name: string;
  logsets: string[];
  /** Bytes per day aligned with `History.days`; NaN = not observed. */
  values: Float64Array;
  /** Index of the first day with bytes > 0 (may be < 0 when before `days[0]`); NEVER when none. */
  firstSeen: number;
}

export interface History {
  days: Day[];
  observed: Uint8Array;
  /** Index of the first observed day (may be < 0 when the history was cut). */
  firstObserved: number;
  logs: HistoryLog[];
  /** Organisation total per day (NaN unknown). */
  org: Float64Array;
}

export interface LogOverrides {
  sensitivity?: number;
  minBytes?: number;
  muted?: boolean;
  baselineFrom?: Day;
}

/** Sums the logs of each observed day from index `from` (where the organisation total is unknown). */
export function fillOrgFromLogs(days: Day[], observed: Uint8Array, logs: HistoryLog[], org: Float64Array, from = 0): void {
  for (let i = from; i < days.length; i++) {
    if (!Number.isNaN(org[i]!) || !observed[i]) continue;
    let sum = 0;
    for (const l of logs) {
      const v = l.values[i]!;
      if (v > 0) sum += v;
    }
    org[i] = sum;
  }
}

/** Index of the first day with bytes > 0, or NEVER. */
export function firstPositive(values: Float64Array): number {
  for (let i = 0; i < values.length; i++) if (values[i]! > 0) return i;
  return NEVER;
}

export interface ReplayOptions {
  params: DetectParams;
  from?: Day;
  to?: Day;
  thresholds?: ThresholdRule[];
  monthlyBudget?: number | undefined;
  overrides?: Map<string, LogOverrides>;
  /** Each day's result, in day order (after every log was judged). */
  onDay?: (result: DayResult, done: number, total: number) => void;
  /** Share of the logs judged so far (0–1), during the first pass. */
  onProgress?: (fraction: number) => void;
}

/** Builds the per-log inputs of the detector from a history and the stored overrides. */
export function toDetectLogs(
  h: History,
  params: DetectParams,
  overrides?: Map<string, LogOverrides>,
  /**
   * Precompute logarithms and keep a model memo (worth it when each log is judged on many days); `excluded`:
   * the organisation-wide days left out of each log's history (by index in h.logs; org-days.ts).
   */
  opts: { replay?: boolean; excluded?: ReadonlyMap<number, number[]> } = { replay: true },
): DetectLog[] {
  const base = toEpochDay(h.days[0]!);
  return h.logs.map((l, li) => {
    const o = overrides?.get(l.id);
    const values = withoutOrgDays(l.values, opts.excluded?.get(li));
    return {
      id: l.id,
      name: l.name,
      logsets: l.logsets,
      values,
      ...(values !== l.values ? { bytes: l.values } : {}),
      ...(opts.replay ? replayInputs(values) : {}),
      firstSeen: l.firstSeen,
      baselineFrom: o?.baselineFrom ? toEpochDay(o.baselineFrom) - base : NO_RESET,
      sensitivity: o?.sensitivity ?? params.sensitivity,
      minBytes: o?.minBytes ?? params.minBytes,
      muted: o?.muted ?? false,
    };
  });
}

/** What a log judged on many days carries besides its values: their logarithms and a memo of its model. */
export function replayInputs(values: Float64Array): Required<Pick<LogSeries, 'lnValues' | 'memo'>> {
  const ln = new Float64Array(values.length);
  for (let i = 0; i < ln.length; i++) {
    const v = values[i]!;
    ln[i] = v > 0 ? Math.log(v) : Number.NaN;
  }
  return { lnValues: ln, memo: { model: null } };
}

export interface ReplaySummary {
  days: number;
  logs: number;
  findings: number;
  byKind: Partial<Record<FindingKind, number>>;
  /** Findings per log id (log-scoped kinds only). */
  byLog: Map<string, { name: string; count: number; kinds: Partial<Record<FindingKind, number>> }>;
  from: Day;
  to: Day;
}

/** Replays every day from `from` (default: the first day) to `to` (default: the last), in order. */
export function replay(h: History, opts: ReplayOptions): ReplaySummary {
  const plan = planReplay(h, opts);
  const judged = emptyJudged(plan);
  judgeLogs(plan, h, opts.params, 0, plan.logs.length, (t, j) => judged[t - plan.t0]!.push(j), {
    onLog: (done) => opts.onProgress?.(done / plan.logs.length),
  });
  return composeReplay(plan, h, opts, judged);
}

/** What a replay judges: the days (indices t0 … t1 of h.days), the organisation-wide days, every log's input. */
export interface ReplayPlan {
  from: Day;
  to: Day;
  t0: number;
  t1: number;
  /** toEpochDay of h.days[0]. */
  day0: number;
  orgDays: ReadonlyMap<number, OrgDay>;
  logs: DetectLog[];
}

/**
 * The days and inputs of a replay (`replay` = planReplay, judgeLogs over every log, composeReplay); `judged`
 * false: the logs are judged elsewhere (their `replayInputs` are not made here).
 */
export function planReplay(h: History, opts: ReplayOptions, judged = true): ReplayPlan {
  if (h.days.length === 0) throw new AppError('USAGE', 'There is no history to replay.', { exitCode: 2 });
  const first = h.days[0]!;
  const last = h.days[h.days.length - 1]!;
  const from = opts.from && opts.from > first ? opts.from : first;
  const to = opts.to && opts.to < last ? opts.to : last;
  const day0 = toEpochDay(first);
  const t1 = toEpochDay(to) - day0;
  // Organisation-wide days first: every log's history leaves out the ones it dipped on (SPEC §6.4).
  const org = findOrgDays(h.logs, h.days, h.observed, holidaysOf(opts.params.holidays), 0, t1);
  const logs = toDetectLogs(h, opts.params, opts.overrides, { replay: judged, excluded: org.excluded });
  return { from, to, t0: toEpochDay(from) - day0, t1, day0, orgDays: org.days, logs };
}

/** One empty list per judged day, for `judgeLogs`' results. */
export function emptyJudged(plan: Pick<ReplayPlan, 't0' | 't1'>): JudgedLog[][] {
  return Array.from({ length: Math.max(0, plan.t1 - plan.t0 + 1) }, () => []);
}

/**
 * Pass 1 of a replay for the logs with index in [a, b) of `plan.logs` on the days t0 … t1 of the plan, log by
 * log (each log's history stays in cache): every day's result that has a verdict or a silence goes to
 * `sink(t, …)`, in log order, then day order. A log's results depend on that log and the day alone, so any split
 * of the logs or of the days gives the same results. `keepModels`: a later call judges these logs' next days
 * (their fortnight's models stay memoized, else they are let go after each log).
 */
export function judgeLogs(
  plan: Pick<ReplayPlan, 't0' | 't1' | 'day0'> & { logs: readonly LogSeries[] },
  h: Pick<History, 'observed' | 'firstObserved'>,
  params: DetectParams,
  a: number,
  b: number,
  sink: (t: number, judged: JudgedLog) => void,
  opts: { onLog?: (done: number) => void; keepModels?: boolean } = {},
): void {
  const detector = createLogDetector(params);
  for (let i = a; i < b; i++) {
    const lg = plan.logs[i]!;
    for (let t = plan.t0; t <= plan.t1; t++) {
      if (h.observed[t] !== 1) continue;
      const r = detector.evaluate(lg, t, plan.day0, h.firstObserved);
      if (r.verdict || r.silence) sink(t, { log: i, result: r });
    }
    opts.onLog?.(i + 1 - a);
    if (lg.memo && !opts.keepModels) lg.memo.model = null;
  }
}

/** Pass 2 of a replay, a run of days at a time (`days`), and the summary so far. */
export interface ReplayComposer {
  /**
   * Composes the days t = a … b in order (continuing the previous call) from `judged[t − t0]` (emptied): findings,
   * thresholds and budget, as the daily run composes them; each day goes to `onDay`.
   */
  days(judged: JudgedLog[][], a: number, b: number): void;
  readonly summary: ReplaySummary;
}

export function createReplayComposer(plan: ReplayPlan, h: History, opts: ReplayOptions): ReplayComposer {
  const { t0, t1, logs } = plan;
  const summary: ReplaySummary = { days: 0, logs: logs.length, findings: 0, byKind: {}, byLog: new Map(), from: plan.from, to: plan.to };
  const total = Math.max(0, t1 - t0 + 1);
  const ctx = {
    days: h.days,
    t: t0,
    observed: h.observed,
    firstObserved: h.firstObserved,
    org: h.org,
    logs,
    thresholds: opts.thresholds ?? [],
    monthlyBudget: opts.monthlyBudget,
    params: opts.params,
    orgDays: plan.orgDays,
  };
  return {
    summary,
    days(judged, a, b) {
      for (let t = a; t <= b; t++) {
        ctx.t = t;
        const r = composeDay(ctx, judged[t - t0]!);
        judged[t - t0] = [];
        summary.days++;
        for (const f of r.findings) count(summary, f);
        opts.onDay?.(r, t - t0 + 1, total);
      }
    },
  };
}

/** Pass 2 over every day of the plan (`createReplayComposer`, one run). */
export function composeReplay(plan: ReplayPlan, h: History, opts: ReplayOptions, judged: JudgedLog[][]): ReplaySummary {
  const c = createReplayComposer(plan, h, opts);
  c.days(judged, plan.t0, plan.t1);
  return c.summary;
}

function count(s: ReplaySummary, f: Finding): void {
  s.findings++;
  s.byKind[f.kind] = (s.byKind[f.kind] ?? 0) + 1;
  if (f.scope !== 'log' || !f.logId) return;
  let e = s.byLog.get(f.logId);
  if (!e) {
    e = { name: f.logName, count: 0, kinds: {} };
    s.byLog.set(f.logId, e);
  }
  e.count++;
  e.kinds[f.kind] = (e.kinds[f.kind] ?? 0) + 1;
}
