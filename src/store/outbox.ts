/**
 * The Slack outbox (migrations/0003_alerts.sql): every message to Slack is a row written in the same
 * transaction as the state change that caused it, and is marked sent only once Slack accepted it.
 * All SQL of the outbox lives here; the sender is src/slack/outbox.ts.
 *
 * Invariants:
 * - `idem_key` is unique: enqueueing the same intent twice keeps the first row (a replayed day adds nothing).
 * - Rows of one channel are sent in id order; a row never overtakes an older pending row of its channel.
 * - `inflight_at` is set (and committed) before a send starts and cleared when its outcome is recorded, so a
 *   pending row with `inflight_at` set is one whose last attempt has an unknown outcome (the process died).
 * Timestamps are ISO-8601 UTC strings passed in by the caller.
 */
import type { Db } from './db.js';
import { camelRow, type Snake } from './rows.js';

export type OutboxMethod = 'post' | 'update' | 'reply' | 'upload';
export type OutboxStatus = 'pending' | 'sent' | 'dead';

/** What is sent. Messages: text (fallback) + blocks. Uploads: a file shared into the parent's thread. */
export interface OutboxPayload {
  text: string;
  blocks?: unknown[];
  /** upload: file name, title and the file bytes as base64. */
  filename?: string;
  title?: string;
  /** upload: what the image shows, for screen readers (files.uploadV2 `alt_text`); default the title. */
  altText?: string;
  fileBase64?: string;
}

export interface OutboxRecord {
  id: number;
  idemKey: string;
  channel: string;
  method: OutboxMethod;
  payload: OutboxPayload;
  alertId: number | null;
  parentOutboxId: number | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  inflightAt: string | null;
  lastError: string | null;
  resultTs: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** A row of `outbox`: `payload` is JSON text. */
type Row = Snake<Omit<OutboxRecord, 'payload'>> & { payload: string };

function toRecord(r: Row): OutboxRecord {
  return { ...camelRow(r), payload: JSON.parse(r.payload) as OutboxPayload };
}

export interface EnqueueInput {
  idemKey: string;
  channel: string;
  method: OutboxMethod;
  payload: OutboxPayload;
  alertId?: number | null;
  parentOutboxId?: number | null;
  /** ISO timestamp; also the first `next_attempt_at`. */
  now: string;
}

/**
 * Queues one message (call it inside the caller's transaction). Returns the row id and whether it is
 * new; an existing row with the same `idemKey` is kept unchanged.
 */
export function enqueueOutbox(db: Db, m: EnqueueInput): { id: number; created: boolean } {
  const r = db
    .prepare(
      `INSERT INTO outbox (idem_key, channel, method, payload, alert_id, parent_outbox_id, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(idem_key) DO NOTHING`,
    )
    .run(m.idemKey, m.channel, m.method, JSON.stringify(m.payload), m.alertId ?? null, m.parentOutboxId ?? null, m.now, m.now);
  if (r.changes > 0) return { id: Number(r.lastInsertRowid), created: true };
  const existing = db.prepare('SELECT id FROM outbox WHERE idem_key = ?').get(m.idemKey) as { id: number };
  return { id: existing.id, created: false };
}

export function getOutbox(db: Db, id: number): OutboxRecord | undefined {
  const r = db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
  return r ? toRecord(r) : undefined;
}

export function getOutboxByKey(db: Db, idemKey: string): OutboxRecord | undefined {
  const r = db.prepare('SELECT * FROM outbox WHERE idem_key = ?').get(idemKey) as Row | undefined;
  return r ? toRecord(r) : undefined;
}

/** The oldest pending row of every channel (the only rows that may be sent next). */
export function pendingHeads(db: Db): OutboxRecord[] {
  return (
    db
      .prepare(
        `SELECT o.* FROM outbox o
         JOIN (SELECT channel, min(id) AS id FROM outbox WHERE status = 'pending' GROUP BY channel) h ON h.id = o.id
         ORDER BY o.id`,
      )
      .all() as Row[]
  ).map(toRecord);
}

/** Rows with an id above `afterId` (dry runs read what a transaction queued before rolling it back). */
export function outboxAfter(db: Db, afterId: number): OutboxRecord[] {
  return (db.prepare('SELECT * FROM outbox WHERE id > ? ORDER BY id').all(afterId) as Row[]).map(toRecord);
}

export function maxOutboxId(db: Db): number {
  return (db.prepare('SELECT coalesce(max(id), 0) AS n FROM outbox').get() as { n: number }).n;
}

export function countOutbox(db: Db): Record<OutboxStatus, number> {
  const out: Record<OutboxStatus, number> = { pending: 0, sent: 0, dead: 0 };
  for (const r of db.prepare('SELECT status, count(*) AS n FROM outbox GROUP BY status').all() as Array<{
    status: OutboxStatus;
    n: number;
  }>) {
    out[r.status] = r.n;
  }
  return out;
}

export function listOutbox(db: Db, opts: { status?: OutboxStatus; limit?: number } = {}): OutboxRecord[] {
  const limit = opts.limit ?? 1000;
  const rows = opts.status
    ? db.prepare('SELECT * FROM outbox WHERE status = ? ORDER BY id LIMIT ?').all(opts.status, limit)
    : db.prepare('SELECT * FROM outbox ORDER BY id LIMIT ?').all(limit);
  return (rows as Row[]).map(toRecord);
}

/**
 * Records that an attempt starts (committed before the request leaves). `next_attempt_at` becomes the
 * attempt time, so a row whose outcome is lost with the process is due again at once.
 */
export function markAttempt(db: Db, id: number, at: string): void {
  db.prepare("UPDATE outbox SET attempts = attempts + 1, inflight_at = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'").run(
    at,
    at,
    id,
  );
}

/**
 * Records that Slack accepted the row (`resultTs`: message ts, or file id for uploads). A top-level
 * post of an alert also stores its ts on the alert, in the same transaction.
 */
export function markSent(db: Db, id: number, resultTs: string | null, at: string): void {
  db.transaction(() => {
    db.prepare("UPDATE outbox SET status = 'sent', inflight_at = NULL, last_error = NULL, result_ts = ?, sent_at = ? WHERE id = ?").run(
      resultTs,
      at,
      id,
    );
    const row = db.prepare('SELECT method, alert_id, channel, idem_key FROM outbox WHERE id = ?').get(id) as
      | { method: OutboxMethod; alert_id: number | null; channel: string; idem_key: string }
      | undefined;
    if (row && row.method === 'post' && row.alert_id !== null && resultTs !== null) {
      db.prepare('UPDATE alerts SET ts = ?, channel = ? WHERE id = ?').run(resultTs, row.channel, row.alert_id);
    }
    // A grouped message (alerts/runner.ts, 'group:<id>:post') is the message of every episode it lists.
    const group = row && row.method === 'post' && resultTs !== null ? /^group:(\d+):post$/.exec(row.idem_key) : null;
    if (group) db.prepare('UPDATE alerts SET ts = ?, channel = ? WHERE group_id = ?').run(resultTs, row?.channel, Number(group[1]));
  })();
}

/**
 * Records a failed attempt that will be retried at `nextAttemptAt`. `outcomeUnknown`: the request may
 * have reached Slack (no answer: timeout, dropped connection, 5xx) or an earlier unknown outcome is
 * still unresolved, so `inflight_at` stays set and the next attempt checks Slack first.
 */
export function markRetry(db: Db, id: number, error: string, nextAttemptAt: string, outcomeUnknown = false): void {
  db.prepare(
    'UPDATE outbox SET inflight_at = CASE WHEN ? THEN coalesce(inflight_at, ?) ELSE NULL END, last_error = ?, next_attempt_at = ? WHERE id = ?',
  ).run(outcomeUnknown ? 1 : 0, nextAttemptAt, error.slice(0, 500), nextAttemptAt, id);
}

/** Records an attempt that failed for good; pending rows that depend on it (updates, thread replies) die with it. */
export function markDead(db: Db, id: number, error: string): number[] {
  return db.transaction(() => {
    const dead: number[] = [];
    const queue = [id];
    let reason = error.slice(0, 500);
    while (queue.length > 0) {
      const cur = queue.shift() as number;
      db.prepare("UPDATE outbox SET status = 'dead', inflight_at = NULL, last_error = ? WHERE id = ? AND status != 'sent'").run(
        reason,
        cur,
      );
      dead.push(cur);
      reason = `the message it depends on (outbox ${id}) could not be delivered`;
      for (const r of db.prepare("SELECT id FROM outbox WHERE parent_outbox_id = ? AND status = 'pending'").all(cur) as Array<{
        id: number;
      }>) {
        queue.push(r.id);
      }
    }
    return dead;
  })();
}

/**
 * Deletes sent or dead rows created before `before` (ISO) that nothing still needs: rows referenced as a
 * parent by a kept row, and posts of open alerts, stay. Returns the number deleted.
 */
export function pruneOutbox(db: Db, before: string): number {
  return db
    .prepare(
      `DELETE FROM outbox WHERE status != 'pending' AND created_at < ?
         AND id NOT IN (SELECT parent_outbox_id FROM outbox WHERE parent_outbox_id IS NOT NULL)
         AND (alert_id IS NULL OR alert_id NOT IN (SELECT id FROM alerts WHERE status = 'open'))`,
    )
    .run(before).changes;
}

class PreviewRollback extends Error {}

/**
 * Runs `work` in one IMMEDIATE transaction and returns its result. With `preview`, the transaction is
 * rolled back after `work` returns: callers see exactly what would have been written (e.g. the outbox
 * rows a dry run would queue) and nothing stays.
 */
export function writeOrPreview<T>(db: Db, work: () => T, preview: boolean): T {
  if (!preview) return db.transaction(work).immediate();
  let result: { value: T } | undefined;
  try {
    db.transaction(() => {
      result = { value: work() };
      throw new PreviewRollback('preview');
    }).immediate();
  } catch (err) {
    if (!(err instanceof PreviewRollback)) throw err;
  }
  return (result as { value: T }).value;
}
