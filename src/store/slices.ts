/**
 * Reads that must not hold the event loop (the Slack app's thread, SPEC §10): a query paged by its text key, one
 * page per turn of the event loop. Each page is its own statement (better-sqlite3 allows no other statement on the
 * connection while an iterator is open), so the pages may straddle another connection's write: callers check their
 * fingerprint after the last page and drop a result that straddled one.
 */
import type Database from 'better-sqlite3';

/** Resolves on the next turn of the event loop (after pending I/O callbacks). */
export const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Every row of `stmt` (raw rows; its last two parameters are "key greater than" and the page size, its rows ordered
 * by that key at column `keyAt`), `pageSize` rows per turn of the event loop.
 */
export async function readInPages<R extends unknown[]>(
  stmt: Database.Statement,
  params: readonly unknown[],
  keyAt: number,
  pageSize: number,
): Promise<R[]> {
  const rows: R[] = [];
  for (let after = ''; ; ) {
    const page = stmt.raw(true).all(...params, after, pageSize) as R[];
    for (const r of page) rows.push(r);
    if (page.length < pageSize) return rows;
    after = String((page.at(-1) as R)[keyAt]);
    await nextTurn();
  }
}
