/**
 * The contract between detection and everything downstream (alerts, Slack, digest, backtest).
 * Bytes are whole bytes per UTC day; `day` is 'YYYY-MM-DD'.
 */
import type { Day } from '../days.js';

/**
 * `org`: the organisation total is unusual, or most logs dipped together (a holiday or an organisation-wide
 * outage; `details.orgEvent` says which); `creep`: organisation usage growing over weeks while no single log
 * stands out (SPEC §6.4, §6.7).
 */
export type FindingKind = 'spike' | 'drop' | 'silent' | 'new' | 'threshold' | 'budget' | 'org' | 'creep';

/** One log's share of an organisation-level change, largest first (SPEC §3). */
export interface Contributor {
  logId: string;
  logName: string;
  changeBytes: number;
  /** changeBytes / the organisation's change, 0…1 (may exceed 1 when other logs moved the other way). */
  share: number;
}

/** What a finding is about: one log, a log set, or the organisation. */
export type FindingScope = 'log' | 'logset' | 'org';

export interface Finding {
  day: Day;
  kind: FindingKind;
  scope: FindingScope;
  /** Log id for scope 'log'; null for log sets and the organisation. */
  logId: string | null;
  /** Display name: log name (or "unknown log <id>"), log set name, or "organisation". */
  logName: string;
  /** Log set names of the log (empty for other scopes). */
  logsets: string[];
  /** Observed bytes of the day (for budget: month-to-date or projected bytes, see `details`). */
  value: number;
  /** Expected bytes (baseline; threshold or budget limit for those kinds). */
  expected: number;
  /** Band of normal values, bytes. */
  low: number;
  high: number;
  /** Strength of the evidence: larger is more anomalous; ≥ 1 means past the alerting line. */
  score: number;
  /** One sentence a person can read, e.g. "firewall-eu sent 48.2 GB, 3.1× its usual 15.6 GB for a Tuesday." */
  reason: string;
  /** value − expected, bytes. */
  changeBytes: number;
  /** (value − expected) / expected × 100, or null when expected is 0. */
  changePct: number | null;
  /** changeBytes × price per GB, in the configured currency; present only when a price is set. */
  changeMoney?: number;
  /** Scope 'org' (kinds `org` and `creep`): the logs that carried the change, largest first. */
  contributors?: Contributor[];
  /**
   * Extra facts by kind: e.g. levelShift: true when the change persisted and became the new normal;
   * budget level ('projected-80' | 'projected-100' | 'actual-100'); thresholdId; silentDays.
   */
  details?: Record<string, unknown>;
}
