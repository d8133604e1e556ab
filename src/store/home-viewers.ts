/** Users who opened the bot's Home tab (migrations/0006_slack_ui.sql): their view is published again after each daily run. */
import type { Db } from './db.js';

/** Records that `userId` opened the Home tab at `at` (ISO-8601 UTC). */
export function recordHomeViewer(db: Db, userId: string, at: string): void {
  db.prepare(
    `INSERT INTO home_viewers (user_id, opened_at) VALUES (?, ?)
     ON CONFLICT(user_id) DO UPDATE SET opened_at = excluded.opened_at`,
  ).run(userId, at);
}

/** Users who opened the Home tab since `since` (ISO), most recent first, at most `limit`. */
export function listHomeViewers(db: Db, since: string, limit = 500): string[] {
  return (
    db.prepare('SELECT user_id FROM home_viewers WHERE opened_at >= ? ORDER BY opened_at DESC LIMIT ?').all(since, limit) as Array<{
      user_id: string;
    }>
  ).map((r) => r.user_id);
}
