/**
 * Each day's ranking of logs by bytes, computed once per day and state of that day's rows (`dayDataKeys`: its
 * collection stamp and the newest import) instead of on every `/logusage summary` or `top N`: at 10,000 logs one
 * ranking walks and sorts the day's 10,000 rows (25–80 ms of the Slack thread), and people ask for many N and many
 * days. Not under `dataVersion`: an alert update, a run record or an admin's change leaves every day's usage as it
 * was, and re-ranking after each of them put a burst of these reads on the Slack thread. Bounded: the newest
 * MAX_DAYS rankings (a day's ranking is a typed array and the id list, about 0.5 MB at 10,000 logs).
 */
import { type Db, perConnection } from './db.js';
import { type DayRanking, dayDataKeys } from './slack-reads.js';
import { readInPages } from './slices.js';

const MAX_DAYS = 8;
/** Rows per slice of `prefetch` (about 3 ms of CPU each on the development machine: each row is a lookup). */
const PAGE = 1000;

export interface DayRanks {
  /** The `limit` largest logs of `day`, with the day's count of logs with data and its total: as `rankDay`. */
  rank(day: string, limit: number): DayRanking;
  /**
   * Ranks `day` ahead of `rank` without holding the event loop: its rows are read in slices of PAGE with a turn of
   * the event loop between them, then sorted here. Afterwards `rank(day, …)` answers from memory unless the day's
   * rows were written since.
   */
  prefetch(day: string): Promise<void>;
}

interface Ranked {
  ids: string[];
  bytes: Float64Array;
  total: number;
}

/** The day rankings of this database connection (one per connection: every caller shares its cache). */
export const createDayRanks: (db: Db) => DayRanks = perConnection((db) => newDayRanks(db));

/** Rows largest first (bytes descending, then log id as SQLite orders text: UTF-8 bytes, which ids are in ASCII). */
function ranked(rows: Array<[string, number]>, sorted: boolean): Ranked {
  if (!sorted) rows.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const ids = new Array<string>(rows.length);
  const bytes = new Float64Array(rows.length);
  let total = 0;
  rows.forEach(([id, b], i) => {
    ids[i] = id;
    bytes[i] = b;
    total += b;
  });
  return { ids, bytes, total };
}

function newDayRanks(db: Db): DayRanks {
  const cache = new Map<string, Ranked>();
  const inFlight = new Map<string, Promise<void>>();
  const keyOf = (day: string) => `${day}|${dayDataKeys(db)(day)}`;
  const remember = (day: string, key: string, r: Ranked) => {
    for (const k of cache.keys()) if (k.startsWith(`${day}|`)) cache.delete(k);
    if (cache.size >= MAX_DAYS) cache.delete(cache.keys().next().value as string);
    cache.set(key, r);
  };
  const sliced = async (day: string) => {
    const key = keyOf(day);
    if (cache.has(key)) return;
    const rows = await readInPages<[string, number]>(
      db.prepare('SELECT log_id, bytes FROM usage INDEXED BY usage_by_day WHERE day = ? AND log_id > ? ORDER BY log_id LIMIT ?'),
      [day],
      0,
      PAGE,
    );
    // The day written meanwhile (the slices may straddle the write): `rank` reads it afresh.
    if (keyOf(day) === key && !cache.has(key)) remember(day, key, ranked(rows, false));
  };
  return {
    rank(day, limit) {
      const key = keyOf(day);
      let r = cache.get(key);
      if (!r) {
        const rows = db.prepare('SELECT log_id, bytes FROM usage WHERE day = ? ORDER BY bytes DESC, log_id').raw(true).all(day) as Array<
          [string, number]
        >;
        r = ranked(rows, true);
        remember(day, key, r);
      }
      const n = Math.min(Math.max(0, limit), r.ids.length);
      const rows = Array.from({ length: n }, (_, i) => ({ logId: r.ids[i] as string, bytes: r.bytes[i] as number }));
      return { rows, logsWithData: r.ids.length, totalBytes: r.total };
    },
    prefetch(day) {
      let p = inFlight.get(day);
      if (!p) {
        p = sliced(day).finally(() => inFlight.delete(day));
        inFlight.set(day, p);
      }
      return p;
    },
  };
}
