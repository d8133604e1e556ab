/**
 * Controls people change at run time (from Slack or the CLI): thresholds, snoozes, mutes, routes,
 * accepted new normals, the settings key/value table, and the audit log of who changed what, when.
 * All SQL for these tables lives here.
 *
 * Contract: every mutating function takes `who` ({ actor, at }) and writes its audit row in the same
 * transaction as the change, so a change without an audit row (or the reverse) cannot happen.
 * `at` is an ISO-8601 UTC timestamp supplied by the caller (no clock in here). Bytes are whole bytes.
 */
import type { Day } from '../days.js';
import { recordAudit, type Who } from './audit.js';
import type { Db } from './db.js';
import { firstByLogset, type LogsetValueRecord, logsetValues } from './logset-values.js';
import { jsonObject } from './rows.js';

export { recordAudit, type Who } from './audit.js';

// ---------------------------------------------------------------------------------------------
// Audit

export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
}

/** A row of `audit`: `details` is JSON text. */
type AuditRow = Omit<AuditRecord, 'details'> & { details: string | null };

function toAudit(r: AuditRow): AuditRecord {
  return { id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, details: jsonObject(r.details) };
}

/** Newest first. `target` filters to one target (a log id, log set, threshold id …). */
export function listAudit(db: Db, opts: { limit?: number; target?: string } = {}): AuditRecord[] {
  const limit = opts.limit ?? 20;
  const rows =
    opts.target === undefined
      ? db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit)
      : db.prepare('SELECT * FROM audit WHERE target = ? ORDER BY id DESC LIMIT ?').all(opts.target, limit);
  return (rows as AuditRow[]).map(toAudit);
}

/**
 * Changes made from an alert message's buttons, per alert id, oldest first: the audit rows whose
 * details carry `alertId` (snooze, accept-normal, mute written with `{ alertId }`). One scan of the
 * audit table for all `alertIds` (changes made by people: a small table, no index needed).
 */
export function listAlertActions(db: Db, alertIds: readonly number[]): Map<number, AuditRecord[]> {
  const out = new Map<number, AuditRecord[]>();
  if (alertIds.length === 0) return out;
  const rows = db
    .prepare(
      // Nested CASE: json_type/json_extract throw on malformed JSON, and CASE is evaluated lazily.
      `SELECT * FROM (
         SELECT a.*, CASE WHEN json_valid(a.details) THEN
             CASE WHEN json_type(a.details, '$.alertId') = 'integer' THEN json_extract(a.details, '$.alertId') END
           END AS alert_id
         FROM audit a)
       WHERE alert_id IN (SELECT value FROM json_each(?))
       ORDER BY id`,
    )
    .all(JSON.stringify(alertIds)) as Array<AuditRow & { alert_id: number }>;
  for (const r of rows) {
    const list = out.get(r.alert_id) ?? [];
    list.push(toAudit(r));
    out.set(r.alert_id, list);
  }
  return out;
}

export function countAudit(db: Db): number {
  return (db.prepare('SELECT count(*) n FROM audit').get() as { n: number }).n;
}

// ---------------------------------------------------------------------------------------------
// Settings key/value (values are JSON)

export interface SettingRecord<T = unknown> {
  key: string;
  value: T;
  updatedAt: string;
  updatedBy: string | null;
}

export function getSetting<T = unknown>(db: Db, key: string): SettingRecord<T> | undefined {
  const r = db.prepare('SELECT key, value, updated_at, updated_by FROM settings WHERE key = ?').get(key) as
    | { key: string; value: string; updated_at: string; updated_by: string | null }
    | undefined;
  if (!r) return undefined;
  return { key: r.key, value: JSON.parse(r.value) as T, updatedAt: r.updated_at, updatedBy: r.updated_by };
}

export function setSetting(db: Db, key: string, value: unknown, who: Who): void {
  db.transaction(() => {
    const before = getSetting(db, key);
    db.prepare(
      `INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ).run(key, JSON.stringify(value), who.at, who.actor);
    recordAudit(db, who, 'setting.set', key, { value, previous: before?.value ?? null });
  }).immediate();
}

/** Removes a key; returns whether it existed. */
export function deleteSetting(db: Db, key: string, who: Who): boolean {
  return db
    .transaction(() => {
      const before = getSetting(db, key);
      if (!before) return false;
      db.prepare('DELETE FROM settings WHERE key = ?').run(key);
      recordAudit(db, who, 'setting.delete', key, { previous: before.value });
      return true;
    })
    .immediate();
}

// ---------------------------------------------------------------------------------------------
// Monthly budget: the `monthly_budget` setting overrides MONTHLY_BUDGET from the environment.
// Stored value: bytes per month (number), or null = "cleared from Slack: no budget even if the
// environment sets one".

export const BUDGET_KEY = 'monthly_budget';

/** Where a value set from Slack over the environment's comes from, and who set or cleared it from Slack, and when. */
export interface OverEnv {
  source: 'slack' | 'env' | 'cleared' | 'none';
  updatedBy?: string | null;
  updatedAt?: string;
}

export interface EffectiveBudget extends OverEnv {
  /** Bytes per month, undefined when there is no budget. */
  bytes: number | undefined;
}

/** The budget in force: the Slack setting when present (a number, or null = cleared), else the environment's. */
export function effectiveBudget(db: Db, envBudget: number | undefined): EffectiveBudget {
  const { value, ...rest } = settingOverEnv(db, BUDGET_KEY, envBudget, (v) => (typeof v === 'number' && v > 0 ? v : undefined));
  return { bytes: value, ...rest };
}

/**
 * A value people set from Slack over one from the environment: the stored setting when there is one (`valid`
 * gives its value, or undefined when it records "cleared": none even if the environment has one), else the
 * environment's, else none.
 */
export function settingOverEnv<T>(
  db: Db,
  key: string,
  env: T | undefined,
  valid: (stored: unknown) => T | undefined,
): OverEnv & { value: T | undefined } {
  const s = getSetting<unknown>(db, key);
  if (s) {
    const value = valid(s.value);
    return { value, source: value === undefined ? 'cleared' : 'slack', updatedBy: s.updatedBy, updatedAt: s.updatedAt };
  }
  return env === undefined ? { value: undefined, source: 'none' } : { value: env, source: 'env' };
}

export function setBudget(db: Db, bytesPerMonth: number | null, who: Who): void {
  setSetting(db, BUDGET_KEY, bytesPerMonth, who);
}

// ---------------------------------------------------------------------------------------------
// Thresholds (bytes per day)

export type ThresholdScope = 'log' | 'logset' | 'org';

export interface ThresholdRecord {
  id: number;
  scope: ThresholdScope;
  /** Log id, log set name, or '' for the organisation. */
  target: string;
  bytesPerDay: number;
  createdAt: string;
  createdBy: string | null;
}

interface ThresholdRow {
  id: number;
  scope: ThresholdScope;
  target: string;
  bytes_per_day: number;
  created_at: string;
  created_by: string | null;
}

function toThreshold(r: ThresholdRow): ThresholdRecord {
  return { id: r.id, scope: r.scope, target: r.target, bytesPerDay: r.bytes_per_day, createdAt: r.created_at, createdBy: r.created_by };
}

export function listThresholds(db: Db): ThresholdRecord[] {
  return (db.prepare('SELECT * FROM thresholds ORDER BY id').all() as ThresholdRow[]).map(toThreshold);
}

export function getThreshold(db: Db, id: number): ThresholdRecord | undefined {
  const r = db.prepare('SELECT * FROM thresholds WHERE id = ?').get(id) as ThresholdRow | undefined;
  return r ? toThreshold(r) : undefined;
}

/** Thresholds that apply to a log: its own, its log sets', and the organisation's. */
export function thresholdsForLog(db: Db, logId: string, logsetNames: string[]): ThresholdRecord[] {
  return listThresholds(db).filter(
    (t) => (t.scope === 'log' && t.target === logId) || (t.scope === 'logset' && logsetNames.includes(t.target)) || t.scope === 'org',
  );
}

/** Sets (or replaces) the threshold of a scope + target. Returns the stored record and the previous limit. */
export function setThreshold(
  db: Db,
  t: { scope: ThresholdScope; target: string; bytesPerDay: number },
  who: Who,
): { threshold: ThresholdRecord; previousBytesPerDay: number | null } {
  if (!Number.isSafeInteger(t.bytesPerDay) || t.bytesPerDay <= 0) throw new RangeError('bytesPerDay must be a positive whole number');
  const target = t.scope === 'org' ? '' : t.target;
  return db
    .transaction(() => {
      const before = db.prepare('SELECT * FROM thresholds WHERE scope = ? AND target = ?').get(t.scope, target) as ThresholdRow | undefined;
      db.prepare(
        `INSERT INTO thresholds (scope, target, bytes_per_day, created_at, created_by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(scope, target) DO UPDATE SET bytes_per_day = excluded.bytes_per_day,
           created_at = excluded.created_at, created_by = excluded.created_by`,
      ).run(t.scope, target, t.bytesPerDay, who.at, who.actor);
      const row = db.prepare('SELECT * FROM thresholds WHERE scope = ? AND target = ?').get(t.scope, target) as ThresholdRow;
      recordAudit(db, who, 'threshold.set', `threshold:${row.id}`, {
        scope: t.scope,
        target,
        bytesPerDay: t.bytesPerDay,
        previousBytesPerDay: before?.bytes_per_day ?? null,
      });
      return { threshold: toThreshold(row), previousBytesPerDay: before?.bytes_per_day ?? null };
    })
    .immediate();
}

/** Removes a threshold by id; returns what was removed, or undefined when there was none. */
export function removeThreshold(db: Db, id: number, who: Who): ThresholdRecord | undefined {
  return db
    .transaction(() => {
      const before = getThreshold(db, id);
      if (!before) return undefined;
      db.prepare('DELETE FROM thresholds WHERE id = ?').run(id);
      recordAudit(db, who, 'threshold.remove', `threshold:${id}`, {
        scope: before.scope,
        target: before.target,
        bytesPerDay: before.bytesPerDay,
      });
      return before;
    })
    .immediate();
}

// ---------------------------------------------------------------------------------------------
// Snoozes: no alert for a log until `until` (ISO timestamp)

export interface SnoozeRecord {
  logId: string;
  until: string;
  createdAt: string;
  createdBy: string | null;
}

interface SnoozeRow {
  log_id: string;
  until: string;
  created_at: string;
  created_by: string | null;
}

function toSnooze(r: SnoozeRow): SnoozeRecord {
  return { logId: r.log_id, until: r.until, createdAt: r.created_at, createdBy: r.created_by };
}

/** Snoozes a log until `until` (ISO); replaces an earlier snooze of the same log. */
export function snoozeLog(db: Db, logId: string, until: string, who: Who, details: Record<string, unknown> = {}): SnoozeRecord {
  return db
    .transaction(() => {
      const before = getSnooze(db, logId);
      db.prepare(
        `INSERT INTO snoozes (log_id, until, created_at, created_by) VALUES (?, ?, ?, ?)
         ON CONFLICT(log_id) DO UPDATE SET until = excluded.until, created_at = excluded.created_at, created_by = excluded.created_by`,
      ).run(logId, until, who.at, who.actor);
      recordAudit(db, who, 'snooze', logId, { until, previousUntil: before?.until ?? null, ...details });
      return { logId, until, createdAt: who.at, createdBy: who.actor };
    })
    .immediate();
}

/** Ends a snooze; returns whether there was one (an expired one counts as none). */
export function unsnoozeLog(db: Db, logId: string, who: Who): boolean {
  return db
    .transaction(() => {
      const before = getSnooze(db, logId);
      if (!before || before.until <= who.at) {
        if (before) db.prepare('DELETE FROM snoozes WHERE log_id = ?').run(logId);
        return false;
      }
      db.prepare('DELETE FROM snoozes WHERE log_id = ?').run(logId);
      recordAudit(db, who, 'unsnooze', logId, { until: before.until });
      return true;
    })
    .immediate();
}

export function getSnooze(db: Db, logId: string): SnoozeRecord | undefined {
  const r = db.prepare('SELECT * FROM snoozes WHERE log_id = ?').get(logId) as SnoozeRow | undefined;
  return r ? toSnooze(r) : undefined;
}

/** Snoozes still in force at `at` (ISO), soonest to end first. */
export function activeSnoozes(db: Db, at: string): SnoozeRecord[] {
  return (db.prepare('SELECT * FROM snoozes WHERE until > ? ORDER BY until').all(at) as SnoozeRow[]).map(toSnooze);
}

export function isSnoozed(db: Db, logId: string, at: string): boolean {
  const s = getSnooze(db, logId);
  return s !== undefined && s.until > at;
}

// ---------------------------------------------------------------------------------------------
// Mutes and per-log settings (log_settings)

export interface LogSettingsRecord {
  logId: string;
  sensitivity: number | null;
  minBytes: number | null;
  muted: boolean;
  /** First day of an accepted new normal (log_settings.baseline_from), else null. */
  baselineFrom: Day | null;
  updatedAt: string;
  updatedBy: string | null;
}

export function getLogSettings(db: Db, logId: string): LogSettingsRecord | undefined {
  const r = db.prepare('SELECT * FROM log_settings WHERE log_id = ?').get(logId) as Record<string, unknown> | undefined;
  if (!r) return undefined;
  return {
    logId: r.log_id as string,
    sensitivity: (r.sensitivity as number | null) ?? null,
    minBytes: (r.min_bytes as number | null) ?? null,
    muted: r.muted === 1,
    baselineFrom: (r.baseline_from as string | null | undefined) ?? null,
    updatedAt: r.updated_at as string,
    updatedBy: (r.updated_by as string | null) ?? null,
  };
}

/**
 * Mutes or unmutes a log (no alerts at all while muted). Returns whether the state changed; no change,
 * no audit row. `details` go into the audit row (e.g. `{ via: 'button', alertId }`).
 */
export function setMuted(db: Db, logId: string, muted: boolean, who: Who, details?: Record<string, unknown>): boolean {
  return db
    .transaction(() => {
      const before = getLogSettings(db, logId);
      if ((before?.muted ?? false) === muted) return false;
      db.prepare(
        `INSERT INTO log_settings (log_id, muted, updated_at, updated_by) VALUES (?, ?, ?, ?)
         ON CONFLICT(log_id) DO UPDATE SET muted = excluded.muted, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      ).run(logId, muted ? 1 : 0, who.at, who.actor);
      recordAudit(db, who, muted ? 'mute' : 'unmute', logId, details);
      return true;
    })
    .immediate();
}

export function isMuted(db: Db, logId: string): boolean {
  const r = db.prepare('SELECT muted FROM log_settings WHERE log_id = ?').get(logId) as { muted: number } | undefined;
  return r?.muted === 1;
}

export function listMutedLogIds(db: Db): string[] {
  return (db.prepare('SELECT log_id FROM log_settings WHERE muted = 1 ORDER BY log_id').all() as Array<{ log_id: string }>).map(
    (r) => r.log_id,
  );
}

/**
 * "Mark as expected": the log's level from `fromDay` on is its new normal. Stored in
 * log_settings.baseline_from (migration 0002): detection ignores the log's history before that day,
 * and the alert lifecycle ends an open episode that began on or before it.
 */
export function acceptNewNormal(db: Db, logId: string, fromDay: Day, who: Who, details: Record<string, unknown> = {}): void {
  db.transaction(() => {
    const before = getBaselineFrom(db, logId);
    db.prepare(
      `INSERT INTO log_settings (log_id, baseline_from, updated_at, updated_by) VALUES (?, ?, ?, ?)
       ON CONFLICT(log_id) DO UPDATE SET baseline_from = excluded.baseline_from, updated_at = excluded.updated_at,
         updated_by = excluded.updated_by`,
    ).run(logId, fromDay, who.at, who.actor);
    recordAudit(db, who, 'accept-normal', logId, { baselineFrom: fromDay, previousBaselineFrom: before, ...details });
  }).immediate();
}

/** The accepted-new-normal day of a log, or null. */
export function getBaselineFrom(db: Db, logId: string): Day | null {
  const r = db.prepare('SELECT baseline_from FROM log_settings WHERE log_id = ?').get(logId) as
    | { baseline_from: string | null }
    | undefined;
  return r?.baseline_from ?? null;
}

// ---------------------------------------------------------------------------------------------
// Routes: log set name → Slack channel id

export type RouteRecord = LogsetValueRecord<'channel'>;

const routes = logsetValues('routes', 'channel', 'route');

export function listRoutes(db: Db): RouteRecord[] {
  return routes.list(db);
}

/** Routes a log set's alerts to `channel` (a channel id); returns the previous channel or null. */
export function setRoute(db: Db, logset: string, channel: string, who: Who): string | null {
  return routes.set(db, logset, channel, who);
}

export function removeRoute(db: Db, logset: string, who: Who): boolean {
  return routes.remove(db, logset, who);
}

/** The channel for a log with these log sets: the first routed log set (by name), else undefined. */
export function routeFor(db: Db, logsetNames: string[]): string | undefined {
  if (logsetNames.length === 0) return undefined;
  return firstByLogset(new Map(routes.list(db).map((r) => [r.logset, r.channel])), logsetNames);
}
