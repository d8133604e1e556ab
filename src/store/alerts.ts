/** Alert episodes (migrations/0003_alerts.sql). Read helpers shared by Slack commands and the digest. */
import type { Finding } from '../detect/types.js';
import type { Db } from './db.js';

export type AlertStatus = 'open' | 'resolved' | 'accepted';
/** Why an episode ended: back to normal, a persisting level shift, "Mark as expected", a mute, or a one-off notice. */
export type EndReason = 'normal' | 'level-shift' | 'marked-expected' | 'muted' | 'one-off';

export interface AlertRecord {
  id: number;
  episodeKey: string;
  scope: 'log' | 'logset' | 'org';
  logId: string | null;
  target: string | null;
  kind: string;
  status: AlertStatus;
  firstDay: string;
  lastDay: string;
  /** Latest day the lifecycle judged this episode. */
  evaluatedDay: string;
  findingDays: number;
  normalDays: number;
  resolvedDay: string | null;
  endReason: EndReason | null;
  channel: string | null;
  ts: string | null;
  lastFinding: Finding;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: number;
  episode_key: string;
  scope: 'log' | 'logset' | 'org';
  log_id: string | null;
  target: string | null;
  kind: string;
  status: AlertStatus;
  first_day: string;
  last_day: string;
  evaluated_day: string;
  finding_days: number;
  normal_days: number;
  resolved_day: string | null;
  end_reason: EndReason | null;
  channel: string | null;
  ts: string | null;
  last_finding: string;
  created_at: string;
  updated_at: string;
}

export function toAlertRecord(r: Row): AlertRecord {
  return {
    id: r.id,
    episodeKey: r.episode_key,
    scope: r.scope,
    logId: r.log_id,
    target: r.target,
    kind: r.kind,
    status: r.status,
    firstDay: r.first_day,
    lastDay: r.last_day,
    evaluatedDay: r.evaluated_day,
    findingDays: r.finding_days,
    normalDays: r.normal_days,
    resolvedDay: r.resolved_day,
    endReason: r.end_reason,
    channel: r.channel,
    ts: r.ts,
    lastFinding: JSON.parse(r.last_finding) as Finding,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Open alerts, newest first. */
export function listOpenAlerts(db: Db, limit = 1000): AlertRecord[] {
  return (db.prepare("SELECT * FROM alerts WHERE status = 'open' ORDER BY last_day DESC, id DESC LIMIT ?").all(limit) as Row[]).map(
    toAlertRecord,
  );
}

/** Alerts of one log (any status), newest first. */
export function listAlertsForLog(db: Db, logId: string, limit = 20): AlertRecord[] {
  return (db.prepare('SELECT * FROM alerts WHERE log_id = ? ORDER BY id DESC LIMIT ?').all(logId, limit) as Row[]).map(toAlertRecord);
}

export function getAlert(db: Db, id: number): AlertRecord | undefined {
  const r = db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
  return r ? toAlertRecord(r) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Writes of the alert lifecycle (src/alerts/runner.ts). Callers wrap them in one transaction together
// with the outbox rows the change causes.

/** A new episode: its key, subject, kind and status as AlertRecord has them, on its first day. */
export interface NewAlert extends Pick<AlertRecord, 'episodeKey' | 'scope' | 'logId' | 'target' | 'kind' | 'status'> {
  day: string;
  endReason?: EndReason | null;
  channel: string;
  finding: Finding;
  /** ISO timestamp. */
  now: string;
}

export function insertAlert(db: Db, a: NewAlert): number {
  const r = db
    .prepare(
      `INSERT INTO alerts (episode_key, scope, log_id, target, kind, status, first_day, last_day, evaluated_day, finding_days,
         normal_days, resolved_day, end_reason, channel, last_finding, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      a.episodeKey,
      a.scope,
      a.logId,
      a.target,
      a.kind,
      a.status,
      a.day,
      a.day,
      a.day,
      a.status === 'open' ? null : a.day,
      a.endReason ?? null,
      a.channel,
      JSON.stringify(a.finding),
      a.now,
      a.now,
    );
  return Number(r.lastInsertRowid);
}

export interface AlertChange {
  kind?: string;
  status?: AlertStatus;
  lastDay?: string;
  evaluatedDay: string;
  findingDays?: number;
  normalDays?: number;
  resolvedDay?: string | null;
  endReason?: EndReason | null;
  lastFinding?: Finding;
  now: string;
}

export function updateAlert(db: Db, id: number, c: AlertChange): void {
  const sets: string[] = ['evaluated_day = @evaluatedDay', 'updated_at = @now'];
  const params: Record<string, unknown> = { id, evaluatedDay: c.evaluatedDay, now: c.now };
  const put = (col: string, key: string, v: unknown) => {
    if (v === undefined) return;
    sets.push(`${col} = @${key}`);
    params[key] = v;
  };
  put('kind', 'kind', c.kind);
  put('status', 'status', c.status);
  put('last_day', 'lastDay', c.lastDay);
  put('finding_days', 'findingDays', c.findingDays);
  put('normal_days', 'normalDays', c.normalDays);
  put('resolved_day', 'resolvedDay', c.resolvedDay);
  put('end_reason', 'endReason', c.endReason);
  put('last_finding', 'lastFinding', c.lastFinding === undefined ? undefined : JSON.stringify(c.lastFinding));
  db.prepare(`UPDATE alerts SET ${sets.join(', ')} WHERE id = @id`).run(params);
}

// ---------------------------------------------------------------------------------------------
// Processed days of the lifecycle

export function isAlertDayProcessed(db: Db, day: string): boolean {
  return Boolean(db.prepare('SELECT 1 FROM alert_days WHERE day = ?').get(day));
}

export function latestAlertDay(db: Db): string | null {
  return (db.prepare('SELECT max(day) AS d FROM alert_days').get() as { d: string | null }).d;
}

export function markAlertDayProcessed(db: Db, day: string, findings: number, at: string): void {
  db.prepare('INSERT INTO alert_days (day, findings, processed_at) VALUES (?, ?, ?) ON CONFLICT(day) DO NOTHING').run(day, findings, at);
}

// ---------------------------------------------------------------------------------------------
// Notices: things said at most once per period (budget level per month, run failure until a success …)

export interface NoticeRecord {
  key: string;
  details: Record<string, unknown> | null;
  createdAt: string;
}

/** Records notice `key` unless it exists; true when it was new (so the caller sends it now). */
export function claimNotice(db: Db, key: string, at: string, details?: Record<string, unknown>): boolean {
  return (
    db
      .prepare('INSERT INTO notices (key, details, created_at) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING')
      .run(key, details === undefined ? null : JSON.stringify(details), at).changes > 0
  );
}

export function hasNotice(db: Db, key: string): boolean {
  return Boolean(db.prepare('SELECT 1 FROM notices WHERE key = ?').get(key));
}

/** Notices whose key starts with `prefix`, newest first. */
export function listNotices(db: Db, prefix: string): NoticeRecord[] {
  const rows = db
    .prepare('SELECT key, details, created_at FROM notices WHERE substr(key, 1, length(?)) = ? ORDER BY created_at DESC, key')
    .all(prefix, prefix) as Array<{ key: string; details: string | null; created_at: string }>;
  return rows.map((r) => ({
    key: r.key,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
    createdAt: r.created_at,
  }));
}

/** Removes notices whose key starts with `prefix`; returns how many. */
export function clearNotices(db: Db, prefix: string): number {
  return db.prepare('DELETE FROM notices WHERE substr(key, 1, length(?)) = ?').run(prefix, prefix).changes;
}

/** Episodes that began between `from` and `to` (inclusive days). */
export function countAlertsOpened(db: Db, from: string, to: string): number {
  return db.prepare('SELECT count(*) FROM alerts WHERE first_day >= ? AND first_day <= ?').pluck().get(from, to) as number;
}

/** Episodes that ended (resolved or accepted) between `from` and `to`. */
export function countAlertsEnded(db: Db, from: string, to: string): number {
  return db
    .prepare("SELECT count(*) FROM alerts WHERE status != 'open' AND resolved_day >= ? AND resolved_day <= ?")
    .pluck()
    .get(from, to) as number;
}
