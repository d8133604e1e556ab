/**
 * The organisation level of `backtest` (SPEC §6.7, §6.9): the daily run's organisation rules replayed day by day
 * over the same history, pure. Each day after the log rules: contributors on detection's holiday or dip finding,
 * the unusual organisation day (an alert, or `details.explained` when logs' own findings carry it) and creep at
 * most once a fortnight. What the daily run reads from its store comes from the replay itself: a log's accepted
 * level begins where a new-normal finding of an earlier day says (`noteLevelShifts`) or at its "Mark as expected"
 * day; muted logs are expected as sent. Day t reads only indices ≤ t. With `--from`, only the new normals of
 * the days judged are known (the days before are history for the rules, not judged).
 */
import { type Day, toEpochDay } from '../days.js';
import type { History, LogOverrides } from '../detect/backtest.js';
import { detectCreep } from '../detect/creep.js';
import type { DayResult } from '../detect/detect-day.js';
import { addOrgFinding, createExpectationMemo, noteLevelShifts, type OrgLogSeries } from '../detect/org-contributors.js';
import type { Finding } from '../detect/types.js';

export interface OrgReplayDay {
  /** The day's findings, an `org` finding of detection with its contributors, and an unexplained unusual day. */
  findings: Finding[];
  /** The unusual organisation day (posted or explained), or null. */
  unusual: Finding | null;
  /** Creep told that day, or null. */
  creep: Finding | null;
}

export interface OrgReplay {
  /** Judges day `r.day` (days in order, each once). */
  judge(r: DayResult): OrgReplayDay;
}

export function createOrgReplay(h: History, overrides?: ReadonlyMap<string, LogOverrides>): OrgReplay {
  const base = toEpochDay(h.days[0]!);
  const levels = new Map<string, number>();
  const logs: OrgLogSeries[] = h.logs.map((l) => {
    const o = overrides?.get(l.id);
    return { id: l.id, name: l.name, values: l.values, ...(o?.muted ? { quiet: true } : {}) };
  });
  const marked = new Map(
    h.logs.flatMap((l) => {
      const d = overrides?.get(l.id)?.baselineFrom;
      return d ? [[l.id, toEpochDay(d) - base] as const] : [];
    }),
  );
  const byId = new Map<string, OrgLogSeries[]>();
  for (const l of logs) byId.set(l.id, [...(byId.get(l.id) ?? []), l]);
  const remainders = new Map<number, number>();
  const expectations = createExpectationMemo(logs, h.observed, h.days.length);
  let toldDay: Day | undefined;
  /** Logs whose new normal changed on the last day judged. */
  const shifted = new Set<string>();
  /** A log's accepted level begins at the later of its "Mark as expected" day and its last new normal that have come by day t. */
  const updateLevel = (id: string, t: number) => {
    const m = marked.get(id);
    const v = levels.get(id);
    const mOk = m !== undefined && m <= t;
    const vOk = v !== undefined && v <= t;
    for (const l of byId.get(id) ?? []) {
      if (mOk && vOk) l.levelFrom = Math.max(m, v);
      else if (mOk) l.levelFrom = m;
      else if (vOk) l.levelFrom = v;
    }
  };
  return {
    judge(r) {
      const t = toEpochDay(r.day) - base;
      // Only logs with a marked day or a new normal can have a level (not every log every day). A new normal
      // starts before the day it was told on, so it has come by every later day: a log without a marked day
      // keeps its level until its next new normal, and only those changed since the last day are set again.
      for (const id of marked.keys()) updateLevel(id, t);
      for (const id of shifted) if (!marked.has(id)) updateLevel(id, t);
      shifted.clear();
      const input = { day: r.day, t, org: h.org, observed: h.observed, logs, remainders, expectations };
      // addOrgFinding attaches contributors to the day's `org` finding: a copy of it, not the detection's.
      const findings = r.findings.map((f) => (f.kind === 'org' && f.scope === 'org' ? { ...f } : f));
      const before = findings.some((f) => f.kind === 'org' && f.scope === 'org');
      const found = addOrgFinding(input, findings, r.muted);
      const creep = detectCreep({
        ...input,
        ...(toldDay ? { daysSinceTold: toEpochDay(r.day) - toEpochDay(toldDay) } : {}),
      });
      if (creep) toldDay = r.day;
      // The day's new normals count for the organisation from the next day on (as in the daily run).
      const told = [...r.findings, ...r.muted];
      const was = told.map((f) => (f.logId ? levels.get(f.logId) : undefined));
      noteLevelShifts(levels, told, t);
      told.forEach((f, i) => {
        if (f.logId && levels.get(f.logId) !== was[i]) shifted.add(f.logId);
      });
      return { findings, unusual: before ? null : found, creep };
    },
  };
}
