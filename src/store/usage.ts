/**
 * Usage history: per-log daily bytes, observed days, organisation totals, log names.
 * All SQL for these tables lives here. Days are UTC 'YYYY-MM-DD'; bytes are whole bytes.
 */
import { addDays, type Day, daysInRange, toEpochDay } from '../days.js';
import type { Db } from './db.js';
import { buildShownNames } from './log-names.js';

export interface LogSetRef {
  id: string;
  name: string;
}

export interface LogInfo {
  id: string;
  /** Last known name, or null when the management API never named it. */
  name: string | null;
  logsets: LogSetRef[];
  /** False when the last /management/logs answer did not list it (deleted or never listed). */
  inManagement: boolean;
  /**
   * True once a /management/logs answer listed it. With `inManagement`: listed; never listed (known from an
   * import or the usage API only); no longer listed (deleted, last name kept) — SPEC §4.
   */
  everListed: boolean;
  firstSeen: Day | null;
  lastSeen: Day | null;
  /** `source_type` from /management/logs ('token', 'internal', …), or null when never listed. */
  sourceType: string | null;
  /** `user_data.platform_managed` was "true". */
  platformManaged: boolean;
  retentionPeriod: string | null;
  tokenCount: number | null;
  /**
   * The name to show: disambiguated with its log set (and a short id) when not unique, with "(deleted)" /
   * "(internal)" markers (log-names.ts). Set by `listLogs` and `getLog`.
   */
  shownName?: string;
}

/** The state of a log (SPEC §4). */
export type LogState = 'listed' | 'never-listed' | 'no-longer-listed';

export function logState(log: Pick<LogInfo, 'inManagement' | 'everListed'>): LogState {
  if (log.inManagement) return 'listed';
  return log.everListed ? 'no-longer-listed' : 'never-listed';
}

/**
 * A Rapid7 platform-internal log (SPEC §4): `source_type: "internal"` ("Web Access Log", "Alert Audit Log",
 * "Log Updates", "InsightIDR Investigations"). Collected, shown and charted; raises no spike/drop/silent/new
 * alert unless WATCH_INTERNAL_LOGS=true or a threshold names it. `platform_managed` alone does not make a log
 * internal: the real answers carry it on customer data logs too ("Endpoint Agents", "Process Start Events").
 */
export function isInternalLog(log: Pick<LogInfo, 'sourceType'>): boolean {
  return (log.sourceType ?? '').trim().toLowerCase() === 'internal';
}

export interface UsageRow {
  day: Day;
  logId: string;
  bytes: number;
}

export interface ManagedLog {
  id: string;
  name: string;
  logsets: LogSetRef[];
  /** Facts kept from /management/logs (SPEC §4); absent = unknown (stored as NULL / 0). */
  sourceType?: string | null;
  platformManaged?: boolean;
  retentionPeriod?: string | null;
  tokenCount?: number | null;
}

/** Everything one collection (or import) writes. Applied atomically by `writeCollection`. */
export interface CollectionWrite {
  /** Days whose per-log usage this write knows completely; stored rows of these days are replaced. */
  observedDays: Day[];
  source: 'api' | 'import';
  usage: UsageRow[];
  /** When present, the full current list of the management API: names refreshed, `in_management` recomputed. */
  managedLogs?: ManagedLog[];
  /** Names from an import file (only fill a missing name; never overwrite a management name). */
  importedNames?: Map<string, string>;
  orgDaily?: Array<{ day: Day; bytes: number }>;
  /** ISO timestamp of the write. */
  now: string;
}

/**
 * Base display name: the last known name ("(deleted)" only for a log no longer listed, SPEC §4), or
 * "unknown log <id>" when it was never named. Names that repeat get their log set: src/store/log-names.ts.
 */
export function displayName(
  log: Pick<LogInfo, 'id' | 'name' | 'inManagement'> & { everListed?: boolean; shownName?: string | undefined },
): string {
  if (log.shownName) return log.shownName;
  if (log.name) return log.inManagement || log.everListed === false ? log.name : `${log.name} (deleted)`;
  return `unknown log ${log.id}`;
}

function parseLogsets(json: string): LogSetRef[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as LogSetRef[]) : [];
  } catch {
    return [];
  }
}

interface LogRow {
  id: string;
  name: string | null;
  logsets: string;
  in_management: number;
  ever_listed: number;
  first_seen: string | null;
  last_seen: string | null;
  source_type: string | null;
  platform_managed: number;
  retention_period: string | null;
  token_count: number | null;
}

function toLogInfo(r: LogRow): LogInfo {
  return {
    id: r.id,
    name: r.name,
    logsets: parseLogsets(r.logsets),
    inManagement: r.in_management === 1,
    everListed: r.ever_listed === 1,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    sourceType: r.source_type,
    platformManaged: r.platform_managed === 1,
    retentionPeriod: r.retention_period,
    tokenCount: r.token_count,
  };
}

function withShownNames(logs: LogInfo[]): LogInfo[] {
  const shown = buildShownNames(logs);
  for (const l of logs) l.shownName = shown.get(l.id) ?? displayName(l);
  return logs;
}

/** Ids of the platform-internal logs (isInternalLog). */
export function internalLogIds(db: Db): Set<string> {
  return new Set(db.prepare("SELECT id FROM logs WHERE lower(trim(source_type)) = 'internal'").pluck().all() as string[]);
}

/** Every known log, by id, each with its `shownName` (SPEC §4). */
export function listLogs(db: Db): LogInfo[] {
  return withShownNames((db.prepare('SELECT * FROM logs ORDER BY id').all() as LogRow[]).map(toLogInfo));
}

/** One log with its `shownName` (told apart from the logs of the same name). */
export function getLog(db: Db, id: string): LogInfo | undefined {
  const r = db.prepare('SELECT * FROM logs WHERE id = ?').get(id) as LogRow | undefined;
  if (!r) return undefined;
  const same = r.name === null ? [r] : (db.prepare('SELECT * FROM logs WHERE lower(trim(name)) = lower(trim(?))').all(r.name) as LogRow[]);
  return withShownNames(same.map(toLogInfo)).find((l) => l.id === id);
}

/**
 * Writes a collection in one transaction: the caller's failure anywhere inside leaves the old state.
 * Only what differs from the stored state is written (a normal run re-sends six known days), so a
 * rerun with the same answers changes nothing. `beforeCommit` is a test seam to inject a failure in
 * the middle of the write.
 */
export function writeCollection(db: Db, w: CollectionWrite, beforeCommit?: () => void): { rows: number; logs: number } {
  const selectLogs = db
    .prepare(
      `SELECT id, name, logsets, in_management,
              json_array(source_type, platform_managed, retention_period, token_count, ever_listed) FROM logs`,
    )
    .raw(true);
  const insertLog = db.prepare('INSERT INTO logs (id, name, logsets, in_management, updated_at) VALUES (?, ?, ?, ?, ?)');
  const insertListed = db.prepare(
    `INSERT INTO logs (id, name, logsets, in_management, ever_listed, source_type, platform_managed, retention_period, token_count, updated_at)
     VALUES (?, ?, ?, 1, 1, ?, ?, ?, ?, ?)`,
  );
  const updateListed = db.prepare(
    `UPDATE logs SET name = ?, logsets = ?, in_management = 1, ever_listed = 1, source_type = ?, platform_managed = ?,
            retention_period = ?, token_count = ?, updated_at = ? WHERE id = ?`,
  );
  const updateUnlisted = db.prepare('UPDATE logs SET in_management = 0, updated_at = ? WHERE id = ?');
  const fillName = db.prepare('UPDATE logs SET name = ?, updated_at = ? WHERE id = ? AND name IS NULL');
  // Stored rows are read log by log through the primary key (log_id, day): by day, every row would cost a
  // lookup from the day index into the table, scattered over the whole history.
  const selectWindowLogs = db.prepare('SELECT log_id FROM usage WHERE day >= ? AND day <= ?').pluck();
  const selectLogWindow = db.prepare('SELECT day, bytes FROM usage WHERE log_id = ? AND day >= ? AND day <= ?').raw(true);
  const upsertUsage = db.prepare(
    'INSERT INTO usage (log_id, day, bytes) VALUES (?, ?, ?) ON CONFLICT(log_id, day) DO UPDATE SET bytes = excluded.bytes',
  );
  const deleteUsage = db.prepare('DELETE FROM usage WHERE log_id = ? AND day = ?');
  const observe = db.prepare(
    `INSERT INTO observed_days (day, source, observed_at) VALUES (?, ?, ?)
     ON CONFLICT(day) DO UPDATE SET source = excluded.source, observed_at = excluded.observed_at`,
  );
  const upsertOrg = db.prepare(
    `INSERT INTO org_usage (day, bytes, fetched_at) VALUES (?, ?, ?)
     ON CONFLICT(day) DO UPDATE SET bytes = excluded.bytes, fetched_at = excluded.fetched_at`,
  );
  // first/last seen derive from stored rows, so an overwrite that removed a day is reflected too.
  const updateSeen = db.prepare(
    `UPDATE logs SET first_seen = (SELECT min(day) FROM usage WHERE log_id = @id),
                     last_seen  = (SELECT max(day) FROM usage WHERE log_id = @id) WHERE id = @id`,
  );

  const run = db.transaction(() => {
    /** id → [name, logsets JSON, in_management, facts JSON] as stored. */
    const known = new Map<string, [string | null, string, number, string]>();
    for (const [id, name, logsets, inm, facts] of selectLogs.iterate() as IterableIterator<
      [string, string | null, string, number, string]
    >) {
      known.set(id, [name, logsets, inm, facts]);
    }
    if (w.managedLogs) {
      const listed = new Set<string>();
      for (const l of w.managedLogs) {
        listed.add(l.id);
        const logsets = JSON.stringify(l.logsets);
        const f = [l.sourceType ?? null, l.platformManaged ? 1 : 0, l.retentionPeriod ?? null, l.tokenCount ?? null] as const;
        const facts = JSON.stringify([...f, 1]);
        const k = known.get(l.id);
        if (!k) insertListed.run(l.id, l.name, logsets, ...f, w.now);
        else if (k[0] !== l.name || k[1] !== logsets || k[2] !== 1 || k[3] !== facts) updateListed.run(l.name, logsets, ...f, w.now, l.id);
        known.set(l.id, [l.name, logsets, 1, facts]);
      }
      for (const [id, k] of known) if (k[2] === 1 && !listed.has(id)) updateUnlisted.run(w.now, id);
    }

    const observed = new Set(w.observedDays);
    /** Fresh bytes of the observed days, by log then day. */
    const fresh = new Map<string, Map<Day, number>>();
    let rows = 0;
    for (const u of w.usage) {
      if (!observed.has(u.day)) continue;
      const days = fresh.get(u.logId);
      if (days) days.set(u.day, u.bytes);
      else fresh.set(u.logId, new Map([[u.day, u.bytes]]));
      if (u.bytes > 0) rows++;
    }
    const sortedDays = [...observed].sort();
    const first = sortedDays[0];
    const last = sortedDays.at(-1);
    const withRows = new Set<string>();
    if (first !== undefined && last !== undefined) {
      for (const id of selectWindowLogs.iterate(first, last) as IterableIterator<string>) withRows.add(id);
    }
    const changed = new Set<string>();
    // Logs in key order, so the writes below go into the b-trees in order.
    for (const id of [...new Set([...fresh.keys(), ...withRows])].sort()) {
      const days = fresh.get(id);
      if (days) {
        const name = w.importedNames?.get(id) ?? null;
        const k = known.get(id);
        if (!k) {
          insertLog.run(id, name, '[]', 0, w.now);
          known.set(id, [name, '[]', 0, '']);
        } else if (k[0] === null && name !== null) fillName.run(name, w.now, id);
      }
      const stored = new Map<Day, number>();
      if (withRows.has(id)) {
        for (const [day, bytes] of selectLogWindow.iterate(id, first, last) as IterableIterator<[Day, number]>) {
          if (observed.has(day)) stored.set(day, bytes);
        }
      }
      for (const day of sortedDays) {
        // Absent from the answer of an observed day: the log used 0 bytes that day.
        const bytes = days?.get(day) ?? 0;
        const old = stored.get(day);
        if (bytes > 0 && old !== bytes) upsertUsage.run(id, day, bytes);
        else if (bytes === 0 && old !== undefined) deleteUsage.run(id, day);
        else continue;
        changed.add(id);
      }
    }
    for (const day of sortedDays) observe.run(day, w.source, w.now);
    for (const o of w.orgDaily ?? []) upsertOrg.run(o.day, o.bytes, w.now);
    for (const id of changed) updateSeen.run({ id });
    beforeCommit?.();
    return { rows, logs: fresh.size };
  });
  return run.immediate();
}

export function observedDays(db: Db, from?: Day, to?: Day): Day[] {
  const rows = db
    .prepare('SELECT day FROM observed_days WHERE day >= ? AND day <= ? ORDER BY day')
    .all(from ?? '0000-00-00', to ?? '9999-99-99') as Array<{ day: string }>;
  return rows.map((r) => r.day);
}

export function isEmpty(db: Db): boolean {
  return !db.prepare('SELECT 1 FROM observed_days LIMIT 1').get();
}

export interface Coverage {
  observedDays: number;
  firstDay: Day | null;
  lastDay: Day | null;
  logs: number;
  activeLogs: number;
  orgDays: number;
  orgFirstDay: Day | null;
  orgLastDay: Day | null;
}

export function coverage(db: Db): Coverage {
  const o = db.prepare('SELECT count(*) n, min(day) a, max(day) b FROM observed_days').get() as {
    n: number;
    a: string | null;
    b: string | null;
  };
  const g = db.prepare('SELECT count(*) n, min(day) a, max(day) b FROM org_usage').get() as {
    n: number;
    a: string | null;
    b: string | null;
  };
  const l = db.prepare('SELECT count(*) n, sum(in_management) m FROM logs').get() as { n: number; m: number | null };
  return {
    observedDays: o.n,
    firstDay: o.a,
    lastDay: o.b,
    logs: l.n,
    activeLogs: l.m ?? 0,
    orgDays: g.n,
    orgFirstDay: g.a,
    orgLastDay: g.b,
  };
}

/**
 * A calendar-aligned view of the history from `from` to `to` (inclusive), for detection and charts.
 * `values[log][i]` is the bytes of `days[i]`: 0 when the day is observed and the log had no row,
 * NaN when the day was never observed (a gap, never a zero).
 */
export interface UsageMatrix {
  days: Day[];
  observed: Uint8Array;
  logs: LogInfo[];
  values: Map<string, Float64Array>;
  /** Organisation totals per day from /usage/organizations; NaN where unknown. */
  org: Float64Array;
}

/**
 * Reads the usage of every known log (or `opts.logIds`) from `from` to `to` into a UsageMatrix.
 * Reads the usage primary key log by log (one seek per log, then its days in order) and lets SQLite
 * join each log's rows into one `day:bytes,…` string: on a large history this is many times faster
 * than one JavaScript row per stored value through the day index.
 */
export function readUsageMatrix(
  db: Db,
  from: Day,
  to: Day,
  opts: {
    /** Only these logs (default: every known log). */
    logIds?: string[];
    /** The known logs when the caller has them already (saves reading them again). */
    logs?: LogInfo[];
    /** Days before `from` to prepend to every array as gaps (NaN, not observed). */
    pad?: number;
  } = {},
): UsageMatrix {
  const pad = opts.pad ?? 0;
  const days = daysInRange(addDays(from, -pad), to);
  const base = toEpochDay(from) - pad;
  const observed = new Uint8Array(days.length);
  for (const d of observedDays(db, from, to)) observed[toEpochDay(d) - base] = 1;
  const wanted = opts.logIds ? new Set(opts.logIds) : undefined;
  const all = opts.logs ?? listLogs(db);
  const logs = wanted ? all.filter((l) => wanted.has(l.id)) : all;
  const values = new Map<string, Float64Array>();
  const blank = new Float64Array(days.length);
  for (let i = 0; i < days.length; i++) blank[i] = observed[i] ? 0 : Number.NaN;
  for (const l of logs) values.set(l.id, Float64Array.from(blank));
  const source = wanted ? '(SELECT value AS id FROM json_each(?) ORDER BY value) AS l' : 'logs AS l';
  const stmt = db
    .prepare(
      `SELECT l.id, group_concat(u.day || ':' || u.bytes) FROM ${source} CROSS JOIN usage AS u
       WHERE u.log_id = l.id AND u.day >= ? AND u.day <= ? GROUP BY l.id`,
    )
    .raw(true);
  const rows = wanted ? stmt.iterate(JSON.stringify([...wanted]), from, to) : stmt.iterate(from, to);
  // Day index by (year, month, day) read from the digits: no string is made per value.
  const y0 = Number(days[0]!.slice(0, 4));
  const slot = new Int32Array((Number(to.slice(0, 4)) - y0 + 1) * 372).fill(-1);
  days.forEach((d, i) => {
    slot[(Number(d.slice(0, 4)) - y0) * 372 + (Number(d.slice(5, 7)) - 1) * 31 + Number(d.slice(8, 10)) - 1] = i;
  });
  const digit = (s: string, k: number) => s.charCodeAt(k) - 48;
  for (const [id, joined] of rows as IterableIterator<[string, string]>) {
    const arr = values.get(id);
    if (!arr) continue;
    const n = joined.length;
    // Entries are 'YYYY-MM-DD:<digits>' separated by commas (bytes are whole, non-negative: CHECK in 0001).
    for (let i = 0; i < n; ) {
      const y = digit(joined, i) * 1000 + digit(joined, i + 1) * 100 + digit(joined, i + 2) * 10 + digit(joined, i + 3);
      const m = digit(joined, i + 5) * 10 + digit(joined, i + 6);
      const d = digit(joined, i + 8) * 10 + digit(joined, i + 9);
      const k = slot[(y - y0) * 372 + (m - 1) * 31 + d - 1]!;
      let j = i + 11;
      let bytes = 0;
      for (let c = joined.charCodeAt(j); j < n && c !== 44; c = joined.charCodeAt(++j)) bytes = bytes * 10 + (c - 48);
      if (k >= 0) arr[k] = bytes;
      i = j + 1;
    }
  }
  const org = new Float64Array(days.length).fill(Number.NaN);
  for (const [day, bytes] of db.prepare('SELECT day, bytes FROM org_usage WHERE day >= ? AND day <= ?').raw(true).all(from, to) as Array<
    [string, number]
  >) {
    org[toEpochDay(day) - base] = bytes;
  }
  return { days, observed, logs, values, org };
}

/** Bytes of every log on one day (only logs with bytes > 0). */
export function usageOnDay(db: Db, day: Day): UsageRow[] {
  return (
    db.prepare('SELECT log_id, day, bytes FROM usage WHERE day = ?').all(day) as Array<{
      log_id: string;
      day: string;
      bytes: number;
    }>
  ).map((r) => ({ logId: r.log_id, day: r.day, bytes: r.bytes }));
}

export function latestObservedDay(db: Db): Day | null {
  const r = db.prepare('SELECT max(day) d FROM observed_days').get() as { d: string | null };
  return r.d;
}

/**
 * Imports rows in one transaction. Rows are streamed through `each` (called inside the transaction)
 * so a large file never sits in memory. Existing rows of other logs are kept; imported values
 * overwrite stored ones for the same (log, day). `days` become observed (source 'import') unless
 * they were already observed through the API.
 */
export function writeImport(
  db: Db,
  w: {
    days: Day[];
    names: Map<string, string>;
    now: string;
    each: (emit: (logId: string, day: Day, bytes: number) => void) => void;
  },
): { rows: number; logs: number } {
  const ensureLog = db.prepare(
    `INSERT INTO logs (id, name, logsets, in_management, updated_at) VALUES (?, ?, '[]', 0, ?)
     ON CONFLICT(id) DO UPDATE SET name = coalesce(logs.name, excluded.name)`,
  );
  const observe = db.prepare("INSERT INTO observed_days (day, source, observed_at) VALUES (?, 'import', ?) ON CONFLICT(day) DO NOTHING");
  const run = db.transaction(() => {
    // Rows are staged in a temporary table and copied in key order (log, day): files list day by day, and
    // inserting them as they come lands each row somewhere else in a large b-tree (about 2× slower for a
    // year of 10,000 logs). The staging table lives in SQLite's temp store, not in memory here.
    db.exec('DROP TABLE IF EXISTS temp.import_rows');
    db.exec('CREATE TEMP TABLE import_rows (log_id TEXT NOT NULL, day TEXT NOT NULL, bytes INTEGER NOT NULL)');
    const stage = db.prepare('INSERT INTO temp.import_rows (log_id, day, bytes) VALUES (?, ?, ?)');
    const seen = new Set<string>();
    let rows = 0;
    w.each((logId, day, bytes) => {
      if (!seen.has(logId)) {
        seen.add(logId);
        ensureLog.run(logId, w.names.get(logId) ?? null, w.now);
      }
      stage.run(logId, day, bytes);
      rows++;
    });
    db.exec(
      `INSERT INTO usage (log_id, day, bytes)
       SELECT log_id, day, bytes FROM temp.import_rows WHERE bytes > 0 ORDER BY log_id, day
       ON CONFLICT(log_id, day) DO UPDATE SET bytes = excluded.bytes`,
    );
    // A 0 in the file is a known zero: a stored value of that log and day goes.
    db.exec('DELETE FROM usage WHERE (log_id, day) IN (SELECT log_id, day FROM temp.import_rows WHERE bytes = 0)');
    db.exec('DROP TABLE temp.import_rows');
    for (const d of w.days) observe.run(d, w.now);
    db.prepare(
      `UPDATE logs SET first_seen = (SELECT min(day) FROM usage WHERE log_id = logs.id),
                       last_seen  = (SELECT max(day) FROM usage WHERE log_id = logs.id)`,
    ).run();
    return { rows, logs: seen.size };
  });
  return run.immediate();
}
