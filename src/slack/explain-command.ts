/**
 * `/logusage explain <name> [DATE]` (SPEC §9) and `logusage explain <log> [--day D]`: the cause inside one log on
 * a day. An explanation already made (by the daily run) is shown as it was; otherwise Log Search is asked now
 * when this process can (`ask`), else the answer says why it cannot. Days are UTC; the default day is the newest
 * collected one.
 */
import { addDays, type Day } from '../days.js';
import type { CauseAnalysis } from '../detect/root-cause.js';
import type { Finding } from '../detect/types.js';
import type { ExplainResult } from '../pipeline/explain.js';
import { median } from '../stats.js';
import { listAlertsForLog } from '../store/alerts.js';
import type { Db } from '../store/db.js';
import { getExplanation } from '../store/explanations.js';
import { logSeries } from '../store/slack-reads.js';
import { displayName, type LogInfo, latestObservedDay } from '../store/usage.js';
import type { SlackMessage } from './block-kit.js';
import { buildCauseMessage, buildCauseUnavailable } from './blocks/cause.js';

/** Asks Log Search now (the daily run's explainLog with this process's client). */
export type AskCause = (logId: string, day: Day, direction: 'up' | 'down') => Promise<ExplainResult>;

export interface ExplainOutcome {
  day: Day | null;
  logName: string;
  /** The analysis when there is one. */
  analysis: CauseAnalysis | null;
  /** Why there is none (plain text). */
  why: string | null;
  finding: Finding | null;
}

/** The direction of the day's change: the alert's, else the day against the median of the 7 days before. */
function directionOf(db: Db, logId: string, day: Day, finding: Finding | null): 'up' | 'down' {
  if (finding) return finding.kind === 'drop' ? 'down' : 'up';
  const s = Array.from(logSeries(db, logId, addDays(day, -7), day)).map((v) => (Number.isFinite(v) ? v : 0));
  const today = s.at(-1) ?? 0;
  return today >= median(s.slice(0, -1)) ? 'up' : 'down';
}

export async function explainFor(db: Db, log: LogInfo, day: Day | undefined, ask: AskCause | undefined): Promise<ExplainOutcome> {
  const logName = displayName(log);
  const d = day ?? latestObservedDay(db);
  if (d === null) return { day: null, logName, analysis: null, why: 'no usage has been collected yet', finding: null };
  const finding = listAlertsForLog(db, log.id, 50).find((a) => a.lastDay === d || a.firstDay === d)?.lastFinding ?? null;
  const stored = getExplanation(db, log.id, d);
  if (stored?.status === 'ok' && stored.details?.analysis) {
    return { day: d, logName, analysis: stored.details.analysis as CauseAnalysis, why: null, finding };
  }
  if (!ask) {
    const why =
      stored?.status === 'failed'
        ? `the daily run could not ask Log Search (${stored.text})`
        : stored?.status === 'none'
          ? stored.text
          : 'Log Search cannot be asked from here (no RAPID7_API_KEY, or ROOT_CAUSE=false)';
    return { day: d, logName, analysis: null, why, finding };
  }
  const r = await ask(log.id, d, directionOf(db, log.id, d, finding));
  if (r.status === 'ok') return { day: d, logName, analysis: r.analysis, why: null, finding };
  return { day: d, logName, analysis: null, why: r.text, finding };
}

export async function runExplainCommand(db: Db, log: LogInfo, day: Day | undefined, ask: AskCause | undefined): Promise<SlackMessage> {
  const o = await explainFor(db, log, day, ask);
  if (o.analysis && o.day) return buildCauseMessage({ logName: o.logName, day: o.day, analysis: o.analysis, finding: o.finding });
  return buildCauseUnavailable(o.logName, o.day ?? 'any day', o.why ?? 'nothing to tell');
}
