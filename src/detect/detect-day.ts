/**
 * Every rule for one day over every log: the pure heart of `detect`, the daily run and `backtest`.
 * No clock, no I/O: history, settings and organisation context come in as arguments, and findings for
 * day `t` read only array indices ≤ t.
 */
import type { Day } from '../days.js';
import { monthOf, toEpochDay } from '../days.js';
import { createLogDetector, type LogDayResult, type LogDetector, type LogSeries } from './log-rules.js';
import { DIP_SHARE, type OrgDay } from './org-days.js';
import { evaluateBudget, type ThresholdRule } from './org-rules.js';
import type { DetectParams } from './params.js';
import { buildBudgetReason, buildLogReason, buildOrgDayReason, buildThresholdReason } from './reason.js';
import type { Finding, FindingKind } from './types.js';

export interface DetectLog extends LogSeries {
  id: string;
  /** Display name (last known name, or "unknown log <id>"). */
  name: string;
  logsets: string[];
  /** Muted logs are judged but their findings are returned apart (`muted`), not as findings. */
  muted: boolean;
  /** The log's bytes when `values` (its history for the rules) leaves organisation-wide days out. */
  bytes?: Float64Array;
}

export interface DayContext {
  /** Calendar days of every array below (consecutive UTC days). */
  days: Day[];
  /** Index of the judged day in `days`. */
  t: number;
  /** 1 where the day was observed (a fetch or import covering it succeeded). */
  observed: Uint8Array;
  /** Index of the first observed day of the whole history (may be < 0 when it is before `days[0]`). */
  firstObserved: number;
  /** Organisation total per day, bytes; NaN unknown. */
  org: Float64Array;
  logs: DetectLog[];
  thresholds: ThresholdRule[];
  /** Bytes per month, or undefined when no budget is set. */
  monthlyBudget: number | undefined;
  params: DetectParams;
  /** Organisation-wide days by day index (org-days.ts); absent = none. */
  orgDays?: ReadonlyMap<number, OrgDay>;
}

export interface DayResult {
  day: Day;
  /** False when the day was never observed: nothing is judged (a gap is not a zero). */
  observed: boolean;
  findings: Finding[];
  /** Findings of muted logs (for the record; not to be posted). */
  muted: Finding[];
  /** Logs in a silence episode that is alerting and not yet accepted, also on their quiet weekdays. */
  silences: Array<{ logId: string; since: Day; silentDays: number }>;
}

function change(value: number, expected: number): { changeBytes: number; changePct: number | null } {
  return { changeBytes: value - expected, changePct: expected > 0 ? ((value - expected) / expected) * 100 : null };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** What a finding is about: its day, kind and subject. */
type FindingHead = Pick<Finding, 'day' | 'kind' | 'scope' | 'logId' | 'logName' | 'logsets'>;

/** The subject of an organisation-scoped finding. */
function organisation(day: Day, kind: FindingKind): FindingHead {
  return { day, kind, scope: 'org', logId: null, logName: 'organisation', logsets: [] };
}

/** A finding from its subject, its figures as reported, its sentence and details; the change is value − expected. */
function findingOf(
  head: FindingHead,
  figures: Pick<Finding, 'value' | 'expected' | 'low' | 'high' | 'score'>,
  reason: string,
  details?: Record<string, unknown>,
): Finding {
  // Written out, not spread: a replay makes tens of thousands of findings, and spreads cost most of the time of
  // composing a day. The properties come in the order of Finding (the JSON of a finding is in that order).
  const { changeBytes, changePct } = change(figures.value, figures.expected);
  const f: Finding = {
    day: head.day,
    kind: head.kind,
    scope: head.scope,
    logId: head.logId,
    logName: head.logName,
    logsets: head.logsets,
    value: figures.value,
    expected: figures.expected,
    low: figures.low,
    high: figures.high,
    score: figures.score,
    reason,
    changeBytes,
    changePct,
  };
  if (details) f.details = details;
  return f;
}

/** A detector reused across days (it owns scratch buffers); create one per params. */
export function createDayDetector(params: DetectParams): { detect(ctx: DayContext): DayResult; log: LogDetector } {
  const log = createLogDetector(params);
  return { log, detect: (ctx) => detectDay(ctx, log) };
}

export function detectDay(ctx: DayContext, detector: LogDetector = createLogDetector(ctx.params)): DayResult {
  if (ctx.observed[ctx.t] !== 1) return composeDay(ctx, []);
  const day0 = toEpochDay(ctx.days[0]!);
  const judged: JudgedLog[] = [];
  for (let i = 0; i < ctx.logs.length; i++) {
    const r = detector.evaluate(ctx.logs[i]!, ctx.t, day0, ctx.firstObserved);
    if (r.verdict || r.silence) judged.push({ log: i, result: r });
  }
  return composeDay(ctx, judged);
}

/** A log's result for the day (only logs with a verdict or a silence in progress). */
export interface JudgedLog {
  /** Index in ctx.logs. */
  log: number;
  result: LogDayResult;
}

/**
 * Turns the per-log results of day ctx.t (in ctx.logs order) into findings and adds the threshold and
 * budget rules. `detectDay` = evaluate every log + composeDay; a replay evaluates log by log first.
 */
export function composeDay(ctx: DayContext, judged: JudgedLog[]): DayResult {
  const { days, t, params } = ctx;
  const day = days[t]!;
  const result: DayResult = { day, observed: ctx.observed[t] === 1, findings: [], muted: [], silences: [] };
  if (!result.observed) return result;
  // Log-set totals feed log-set thresholds only: summed over every log only when one is set.
  const logsetTotals = new Map<string, number>();
  if (ctx.thresholds.some((th) => th.scope === 'logset')) {
    for (const lg of ctx.logs) {
      const v = (lg.bytes ?? lg.values)[t]!;
      if (v > 0 && lg.logsets.length > 0) for (const set of lg.logsets) logsetTotals.set(set, (logsetTotals.get(set) ?? 0) + v);
    }
  }
  for (const j of judged) {
    const lg = ctx.logs[j.log]!;
    const r = j.result;
    if (r.silence) result.silences.push({ logId: lg.id, since: days[r.silence.since] ?? day, silentDays: r.silence.silentDays });
    const v0 = r.verdict;
    if (!v0) continue;
    const details: Record<string, unknown> = {};
    if (v0.levelShift) details.levelShift = true;
    if (v0.silentDays !== undefined) {
      details.silentDays = v0.silentDays;
      details.silentSince = days[v0.silentSince ?? t] ?? day;
      details.silentBasis = v0.silentBasis;
    }
    if (v0.z !== undefined) details.z = Math.round(v0.z * 100) / 100;
    if (v0.runDays) details.runDays = v0.runDays;
    if (v0.evidenceDays && v0.evidenceDays > 1) details.evidenceDays = v0.evidenceDays;
    if (v0.weekdayProfile) details.weekdayProfile = true;
    const f = findingOf(
      { day, kind: v0.kind, scope: 'log', logId: lg.id, logName: lg.name, logsets: lg.logsets },
      {
        value: Math.round(v0.value),
        expected: Math.round(v0.expected),
        low: Math.round(v0.low),
        high: Math.round(v0.high),
        score: round2(v0.score),
      },
      buildLogReason({ ...v0, name: lg.name, day, persistDays: params.persistDays }),
      Object.keys(details).length ? details : undefined,
    );
    (lg.muted ? result.muted : result.findings).push(f);
  }

  const od = ctx.orgDays?.get(t);
  if (od) {
    // One finding for the organisation-wide day; the logs that dipped have no verdict today (org-days.ts).
    result.findings.push(
      findingOf(
        organisation(day, 'org'),
        {
          value: Math.round(od.value),
          expected: Math.round(od.expected),
          low: Math.round(od.expected * DIP_SHARE),
          high: Math.round(od.expected),
          score: 1,
        },
        buildOrgDayReason(od, day),
        { orgEvent: od.orgEvent, logsAffected: od.logsAffected, logsReporting: od.logsReporting },
      ),
    );
  }

  const byId = ctx.thresholds.length > 0 ? new Map(ctx.logs.map((l) => [l.id, l])) : new Map<string, DetectLog>();
  for (const th of ctx.thresholds) {
    let value: number;
    let name: string;
    let logId: string | null = null;
    let logsets: string[] = [];
    let muted = false;
    if (th.scope === 'log') {
      const lg = byId.get(th.target);
      if (!lg) continue;
      value = (lg.bytes ?? lg.values)[t]!;
      name = lg.name;
      logId = lg.id;
      logsets = lg.logsets;
      muted = lg.muted;
    } else if (th.scope === 'logset') {
      value = logsetTotals.get(th.target) ?? 0;
      name = th.target;
    } else {
      value = ctx.org[t]!;
      name = 'organisation';
    }
    if (!(value > th.bytesPerDay)) continue;
    const f = findingOf(
      { day, kind: 'threshold', scope: th.scope, logId, logName: name, logsets },
      { value: Math.round(value), expected: th.bytesPerDay, low: 0, high: th.bytesPerDay, score: round2(value / th.bytesPerDay) },
      buildThresholdReason(th.scope, name, value, th.bytesPerDay),
      { thresholdId: th.id, target: th.target },
    );
    (muted ? result.muted : result.findings).push(f);
  }

  const budget = evaluateBudget(days, ctx.org, t, ctx.monthlyBudget);
  if (budget) {
    const value = budget.level === 'actual-100' ? budget.monthToDate : budget.projected;
    result.findings.push(
      findingOf(
        organisation(day, 'budget'),
        { value: Math.round(value), expected: budget.budget, low: 0, high: budget.budget, score: round2(value / budget.budget) },
        buildBudgetReason(budget.level, budget.monthToDate, budget.projected, budget.budget, monthOf(day)),
        {
          level: budget.level,
          levels: budget.levels,
          month: monthOf(day),
          monthToDate: Math.round(budget.monthToDate),
          projected: Math.round(budget.projected),
          budget: budget.budget,
          estimatedDays: budget.estimatedDays,
        },
      ),
    );
  }
  return result;
}
