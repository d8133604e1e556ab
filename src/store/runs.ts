/** Job runs: one row per run with window, status, error and timings. */
import type { Db } from './db.js';
import { camelRow, jsonObject, type Snake } from './rows.js';

export interface RunRecord {
  id: number;
  job: string;
  day: string | null;
  windowFrom: string | null;
  windowTo: string | null;
  status: 'running' | 'ok' | 'failed';
  errorCode: string | null;
  error: string | null;
  details: Record<string, unknown> | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

/** A row of `runs`: `details` is JSON text. */
type Row = Snake<Omit<RunRecord, 'details'>> & { details: string | null };

function toRecord(r: Row): RunRecord {
  return { ...camelRow(r), details: jsonObject(r.details) };
}

export function startRun(db: Db, job: string, at: Date, opts: { day?: string; windowFrom?: string; windowTo?: string } = {}): number {
  const r = db
    .prepare("INSERT INTO runs (job, day, window_from, window_to, status, started_at) VALUES (?, ?, ?, ?, 'running', ?)")
    .run(job, opts.day ?? null, opts.windowFrom ?? null, opts.windowTo ?? null, at.toISOString());
  return Number(r.lastInsertRowid);
}

/** Ends a run. `windowFrom`/`windowTo`, when given, replace the window recorded at the start (a narrowed fetch). */
export function finishRun(
  db: Db,
  id: number,
  at: Date,
  outcome: {
    status: 'ok' | 'failed';
    errorCode?: string;
    error?: string;
    details?: Record<string, unknown>;
    windowFrom?: string;
    windowTo?: string;
  },
): void {
  db.prepare(
    `UPDATE runs SET status = ?, error_code = ?, error = ?, details = ?, finished_at = ?,
       window_from = coalesce(?, window_from), window_to = coalesce(?, window_to),
       duration_ms = CAST(round((julianday(?) - julianday(started_at)) * 86400000) AS INTEGER) WHERE id = ?`,
  ).run(
    outcome.status,
    outcome.errorCode ?? null,
    outcome.error ?? null,
    outcome.details ? JSON.stringify(outcome.details) : null,
    at.toISOString(),
    outcome.windowFrom ?? null,
    outcome.windowTo ?? null,
    at.toISOString(),
    id,
  );
}

export function recentRuns(db: Db, limit = 10, job?: string): RunRecord[] {
  const rows = job
    ? db.prepare('SELECT * FROM runs WHERE job = ? ORDER BY id DESC LIMIT ?').all(job, limit)
    : db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(limit);
  return (rows as Row[]).map(toRecord);
}

export function lastSuccessfulRun(db: Db, job: string): RunRecord | undefined {
  const r = db.prepare("SELECT * FROM runs WHERE job = ? AND status = 'ok' ORDER BY id DESC LIMIT 1").get(job) as Row | undefined;
  return r ? toRecord(r) : undefined;
}
