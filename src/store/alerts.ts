/** Alert episodes (migrations/0003_alerts.sql). Read helpers shared by Slack commands and the digest. */
import type { Finding } from '../detect/types.js';
import type { Db } from './db.js';

export type AlertStatus = 'open' | 'resolved' | 'accepted';

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
  findingDays: number;
  normalDays: number;
  resolvedDay: string | null;
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
  finding_days: number;
  normal_days: number;
  resolved_day: string | null;
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
    findingDays: r.finding_days,
    normalDays: r.normal_days,
    resolvedDay: r.resolved_day,
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
