/**
 * The list of known logs, read once per change of the `logs` table (any connection or process) instead of on
 * every `/logusage` answer: at 10,000 logs `listLogs` costs tens of milliseconds of the Slack thread. The
 * fingerprint (row count, newest update, newest first/last seen) is one aggregate over the table. Bounded: one
 * list and its index. The arrays and maps handed out are shared: callers must not change them.
 */
import type { Db } from './db.js';
import { writeStamp } from './slack-reads.js';
import { type LogInfo, listLogs } from './usage.js';

export interface LogList {
  list(): LogInfo[];
  byId(): Map<string, LogInfo>;
}

export function createLogList(db: Db): LogList {
  let cached: { key: string; list: LogInfo[]; byId: Map<string, LogInfo> } | undefined;
  let checked: { stamp: string; key: string } | undefined;
  const fingerprint = () => {
    // The aggregate walks the table (ms at 10,000 logs): read it again only after some write.
    const stamp = writeStamp(db);
    if (checked?.stamp === stamp) return checked.key;
    const key = db
      .prepare(
        `SELECT count(*) || '|' || coalesce(max(updated_at), '') || '|' || coalesce(max(first_seen), '') || '|' ||
                coalesce(max(last_seen), '') || '|' || coalesce(min(first_seen), '') FROM logs`,
      )
      .pluck()
      .get() as string;
    checked = { stamp, key };
    return key;
  };
  const current = () => {
    const key = fingerprint();
    if (cached?.key !== key) {
      const list = listLogs(db);
      cached = { key, list, byId: new Map(list.map((l) => [l.id, l])) };
    }
    return cached;
  };
  return { list: () => current().list, byId: () => current().byId };
}
