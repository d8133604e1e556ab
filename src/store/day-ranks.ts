/**
 * Each day's ranking of logs by bytes, computed once per day and state of that day's rows (`dayDataKeys`: its
 * collection stamp and the newest import) instead of on every `/logusage summary` or `top N`: at 10,000 logs one
 * ranking walks and sorts the day's 10,000 rows (25–80 ms of the Slack thread), and people ask for many N and many
 * days. Not under `dataVersion`: an alert update, a run record or an admin's change leaves every day's usage as it
 * was, and re-ranking after each of them put a burst of these reads on the Slack thread. Bounded: the newest
 * MAX_DAYS rankings (a day's ranking is a typed array and the id list, about 0.5 MB at 10,000 logs).
 */
import type { Db } from './db.js';
import { type DayRanking, dayDataKeys } from './slack-reads.js';

const MAX_DAYS = 8;

export interface DayRanks {
  /** The `limit` largest logs of `day`, with the day's count of logs with data and its total: as `rankDay`. */
  rank(day: string, limit: number): DayRanking;
}

interface Ranked {
  ids: string[];
  bytes: Float64Array;
  total: number;
}

export function createDayRanks(db: Db): DayRanks {
  const cache = new Map<string, Ranked>();
  const read = (day: string): Ranked => {
    const rows = db.prepare('SELECT log_id, bytes FROM usage WHERE day = ? ORDER BY bytes DESC, log_id').raw(true).all(day) as Array<
      [string, number]
    >;
    const ids = new Array<string>(rows.length);
    const bytes = new Float64Array(rows.length);
    let total = 0;
    rows.forEach(([id, b], i) => {
      ids[i] = id;
      bytes[i] = b;
      total += b;
    });
    return { ids, bytes, total };
  };
  return {
    rank(day, limit) {
      const key = `${day}|${dayDataKeys(db)(day)}`;
      let r = cache.get(key);
      if (!r) {
        r = read(day);
        for (const k of cache.keys()) if (k.startsWith(`${day}|`)) cache.delete(k);
        if (cache.size >= MAX_DAYS) cache.delete(cache.keys().next().value as string);
        cache.set(key, r);
      }
      const n = Math.min(Math.max(0, limit), r.ids.length);
      const rows = Array.from({ length: n }, (_, i) => ({ logId: r.ids[i] as string, bytes: r.bytes[i] as number }));
      return { rows, logsWithData: r.ids.length, totalBytes: r.total };
    },
  };
}
