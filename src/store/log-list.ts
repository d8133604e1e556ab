/**
 * The list of known logs, read once per change of the `logs` table (any connection or process) instead of on
 * every `/logusage` answer: at 10,000 logs `listLogs` costs 35–150 ms of the Slack thread. The fingerprint (row
 * count, named rows, newest update, newest first/last seen) is one aggregate over the table. Bounded: one list and its index.
 * The arrays and maps handed out are shared: callers must not change them.
 *
 * A collection of a new day moves `last_seen` of nearly every log and nothing else: then the list is brought up
 * to date from a narrow scan (id, name, updated_at, first/last seen) instead of being read and named again. Every
 * write of a log's other fields (name, log sets, listed state, facts) sets its `updated_at` (usage.ts), except an
 * import filling a missing name, which the fingerprint counts and the scan sees in the name itself; either makes
 * the next read a full one.
 */
import { type Db, perConnection } from './db.js';
import { writeStamp } from './slack-reads.js';
import { readInPages } from './slices.js';
import { type LogInfo, listLogs } from './usage.js';

export interface LogList {
  list(): LogInfo[];
  byId(): Map<string, LogInfo>;
  /**
   * Brings the list up to date without holding the event loop: the narrow scan runs in slices of SCAN_CHUNK logs
   * with a turn of the event loop between them. Afterwards `list()` and `byId()` answer from memory unless
   * something was written since.
   */
  refresh(): Promise<void>;
}

interface Cached {
  key: string;
  list: LogInfo[];
  byId: Map<string, LogInfo>;
  /** `updated_at` of each log of `list`, same order. */
  updated: string[];
}

type ScanRow = [id: string, name: string | null, updatedAt: string, firstSeen: string | null, lastSeen: string | null];

/** Logs per slice of `refresh`'s scan (about 2 ms of CPU each on the development machine). */
const SCAN_CHUNK = 1000;

/** The log list of this database connection (one per connection: every caller shares its cache). */
export const createLogList: (db: Db) => LogList = perConnection((db) => newLogList(db));

function newLogList(db: Db): LogList {
  let cached: Cached | undefined;
  let checked: { stamp: string; key: string } | undefined;
  let refreshing: Promise<void> | undefined;
  const fingerprint = () => {
    // The aggregate walks the table (ms at 10,000 logs): read it again only after some write.
    const stamp = writeStamp(db);
    if (checked?.stamp === stamp) return checked.key;
    const key = db
      .prepare(
        `SELECT count(*) || '|' || count(name) || '|' || coalesce(max(updated_at), '') || '|' || coalesce(max(first_seen), '') || '|' ||
                coalesce(max(last_seen), '') || '|' || coalesce(min(first_seen), '') FROM logs`,
      )
      .pluck()
      .get() as string;
    checked = { stamp, key };
    return key;
  };
  const full = (key: string): Cached =>
    db.transaction(() => {
      const list = listLogs(db);
      const updated = db.prepare('SELECT updated_at FROM logs ORDER BY id').pluck().all() as string[];
      return { key, list, byId: new Map(list.map((l) => [l.id, l])), updated };
    })();
  const scanSql = 'SELECT id, name, updated_at, first_seen, last_seen FROM logs';
  /** The cached list with the scanned first/last seen days, or undefined when anything else changed. */
  const seenOnly = (c: Cached, key: string, rows: ScanRow[]): Cached | undefined => {
    if (rows.length !== c.list.length) return undefined;
    const list = new Array<LogInfo>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [id, name, updatedAt, firstSeen, lastSeen] = rows[i] as ScanRow;
      const old = c.list[i] as LogInfo;
      if (old.id !== id || old.name !== name || c.updated[i] !== updatedAt) return undefined;
      list[i] = old.firstSeen === firstSeen && old.lastSeen === lastSeen ? old : { ...old, firstSeen, lastSeen };
    }
    return { key, list, byId: new Map(list.map((l) => [l.id, l])), updated: c.updated };
  };
  const current = () => {
    const key = fingerprint();
    if (cached?.key !== key) {
      const rows = cached ? (db.prepare(`${scanSql} ORDER BY id`).raw(true).all() as ScanRow[]) : [];
      cached = (cached && seenOnly(cached, key, rows)) ?? full(key);
    }
    return cached;
  };
  const sliced = async (): Promise<void> => {
    const key = fingerprint();
    if (cached?.key === key) return;
    if (!cached) {
      current();
      return;
    }
    const rows = await readInPages<ScanRow>(db.prepare(`${scanSql} WHERE id > ? ORDER BY id LIMIT ?`), [], 0, SCAN_CHUNK);
    // Written meanwhile (the slices may straddle the write): the next read decides afresh.
    if (fingerprint() !== key || cached.key === key) return;
    cached = seenOnly(cached, key, rows) ?? full(key);
  };
  return {
    list: () => current().list,
    byId: () => current().byId,
    refresh: () => {
      refreshing ??= sliced().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
  };
}
