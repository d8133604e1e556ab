/**
 * The Slack thread's read caches (the log list, the latest day's ranking and that of the day a command asks for)
 * brought up to date in slices, so that a `/logusage` command after a collection does not re-read 10,000 rows in
 * one go while other answers wait (SPEC §10: acks are never late). Called before a command runs; when nothing was written since the last call it reads only
 * the write stamp and the fingerprints. A write landing between this and the command's own reads is read there.
 */
import { createDayRanks } from './day-ranks.js';
import type { Db } from './db.js';
import { createLogList } from './log-list.js';
import { latestObservedDay } from './usage.js';

/** `day`: a day the command ranks besides the latest observed one (`summary DATE`). */
export async function refreshReadCaches(db: Db, day?: string): Promise<void> {
  await createLogList(db).refresh();
  const latest = latestObservedDay(db);
  if (latest !== null) await createDayRanks(db).prefetch(latest);
  if (day !== undefined && day !== latest) await createDayRanks(db).prefetch(day);
}
