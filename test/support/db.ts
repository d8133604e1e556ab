/** In-memory databases for a test, and the stored history read back in plain shapes that tests compare. */
import { onTestFinished } from 'vitest';
import type { Day } from '../../src/days.js';
import { type Db, openDb } from '../../src/store/db.js';
import { type CollectionWrite, writeCollection } from '../../src/store/usage.js';

/** A fresh in-memory database with the real migrations, closed when the current test finishes. */
export function memoryDb(): Db {
  const db = openDb(':memory:');
  onTestFinished(() => {
    if (db.open) db.close();
  });
  return db;
}

/** Every row of the history tables (not `runs`), sorted: equal dumps mean an unchanged history. */
export function dumpHistory(db: Db): Record<string, unknown[]> {
  return {
    logs: db.prepare('SELECT * FROM logs ORDER BY id').all(),
    usage: db.prepare('SELECT * FROM usage ORDER BY log_id, day').all(),
    observed_days: db.prepare('SELECT * FROM observed_days ORDER BY day').all(),
    org_usage: db.prepare('SELECT * FROM org_usage ORDER BY day').all(),
  };
}

/** Every row of every table (each table's rows sorted): equal dumps mean nothing was stored, changed or deleted. */
export function dumpStore(db: Db): Record<string, string[]> {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    tables.map((t) => [
      t,
      db
        .prepare(`SELECT * FROM "${t}"`)
        .all()
        .map((r) => JSON.stringify(r))
        .sort(),
    ]),
  );
}

/** One collection from the API of one UTC day: `bytes` per log id, in that order, with the rest of the write in `o`. */
export function collectDay(db: Db, day: Day, bytes: Record<string, number>, o: Omit<CollectionWrite, 'observedDays' | 'source' | 'usage'>) {
  const usage = Object.entries(bytes).map(([logId, b]) => ({ day, logId, bytes: b }));
  return writeCollection(db, { observedDays: [day], source: 'api', usage, ...o });
}

/** Stored per-log bytes as `{ "day logId": bytes }` (rows only: zeros are absent rows). */
export function storedUsage(db: Db): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of db.prepare('SELECT log_id, day, bytes FROM usage').all() as Array<{ log_id: string; day: string; bytes: number }>) {
    out[`${r.day} ${r.log_id}`] = r.bytes;
  }
  return out;
}

export function observedDayList(db: Db): string[] {
  return (db.prepare('SELECT day FROM observed_days ORDER BY day').all() as Array<{ day: string }>).map((r) => r.day);
}
