import { appendFileSync, copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../../src/errors.js';
import { defaultMigrationsDir, loadMigrations, migrate, openDb, schemaVersion } from '../../../src/store/db.js';
import { thrown } from '../../support/errors.js';
import { tempDbPath, tempDir } from '../../support/tmp.js';

/** A copy of the real migrations folder that a test may change. */
function copyMigrations(): string {
  const dir = join(tempDir('logusage-migrations-'), 'migrations');
  mkdirSync(dir);
  for (const f of readdirSync(defaultMigrationsDir())) copyFileSync(join(defaultMigrationsDir(), f), join(dir, f));
  return dir;
}

/** A copy of the migrations folder and a database file already migrated with it. */
function migratedCopy(): { dir: string; path: string } {
  const dir = copyMigrations();
  const path = tempDbPath();
  openDb(path, { migrationsDir: dir }).close();
  return { dir, path };
}

function openFails(path: string, opts: Parameters<typeof openDb>[1] = {}): AppError {
  return thrown(() => openDb(path, opts).close());
}

describe('openDb and migrations', () => {
  it('creates the folder, applies every migration in order and records version and checksum', () => {
    const path = join(tempDir(), 'deep', 'er', 'logusage.db');
    const db = openDb(path);
    const all = loadMigrations();
    expect(all.length).toBeGreaterThanOrEqual(1);
    expect(all.map((m) => m.version)).toEqual([...all.map((m) => m.version)].sort((a, b) => a - b));
    const rows = db.prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(all.map((m) => ({ version: m.version, name: m.name, checksum: m.checksum })));
    expect(all[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(schemaVersion(db)).toBe(all.at(-1)!.version);
    for (const t of ['logs', 'usage', 'observed_days', 'org_usage', 'runs']) {
      expect(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t), t).toBeDefined();
    }
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('applies nothing the second time', () => {
    const path = tempDbPath();
    openDb(path).close();
    const db = openDb(path, { migrate: false });
    expect(migrate(db)).toEqual([]);
    db.close();
  });

  it('works in memory with the real migrations', () => {
    const db = openDb(':memory:');
    expect(schemaVersion(db)).toBe(loadMigrations().at(-1)!.version);
    db.close();
  });

  it('applies a new numbered file at the next start, after the applied ones', () => {
    const { dir, path } = migratedCopy();
    writeFileSync(join(dir, '9000_extra.sql'), 'CREATE TABLE extra (id INTEGER PRIMARY KEY) STRICT;\n');
    const db = openDb(path, { migrationsDir: dir, migrate: false });
    expect(migrate(db, loadMigrations(dir))).toEqual([9000]);
    expect(schemaVersion(db)).toBe(9000);
    db.close();
  });

  it('refuses to start when an applied migration file was changed', () => {
    const { dir, path } = migratedCopy();
    appendFileSync(join(dir, '0001_init.sql'), '\n-- an innocent-looking edit\n');
    for (const migrateOpt of [true, false]) {
      const err = openFails(path, { migrationsDir: dir, migrate: migrateOpt });
      expect(err.code).toBe('DB_MIGRATION_CHANGED');
      expect(err.message).toMatch(/0001_init\.sql was changed after it was applied/);
      expect(err.message).toMatch(/new numbered migration/);
    }
  });

  it('refuses a database written by a newer version', () => {
    const dir = copyMigrations();
    writeFileSync(join(dir, '9999_future.sql'), 'CREATE TABLE future (id INTEGER PRIMARY KEY) STRICT;\n');
    const path = tempDbPath();
    openDb(path, { migrationsDir: dir }).close();
    for (const migrateOpt of [true, false]) {
      const err = openFails(path, { migrate: migrateOpt });
      expect(err.code).toBe('DB_NEWER_SCHEMA');
      expect(err.message).toMatch(/newer version of logusage.*9999_future\.sql/);
      expect(err.message).toMatch(/Upgrade logusage/);
    }
  });

  it('applies a failing migration not at all', () => {
    const dir = copyMigrations();
    writeFileSync(join(dir, '9000_broken.sql'), 'CREATE TABLE half (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n');
    const path = tempDbPath();
    const err = openFails(path, { migrationsDir: dir });
    expect(err.code).toBe('DB_MIGRATION_FAILED');
    expect(err.message).toMatch(/9000_broken\.sql failed.*no such table.*Nothing of it was applied/);
    const raw = new Database(path);
    expect(raw.prepare("SELECT 1 FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    expect(raw.prepare('SELECT max(version) v FROM schema_migrations').get()).toEqual({ v: loadMigrations().at(-1)!.version });
    raw.close();
  });

  it('refuses two files with the same number', () => {
    const dir = copyMigrations();
    writeFileSync(join(dir, '0001_again.sql'), 'SELECT 1;\n');
    expect(() => loadMigrations(dir)).toThrow(/share version 1/);
  });

  it('ignores files that are not numbered SQL migrations', () => {
    const dir = copyMigrations();
    writeFileSync(join(dir, 'README.md'), '# notes\n');
    writeFileSync(join(dir, '12_short.sql'), 'SELECT 1;\n');
    expect(loadMigrations(dir).map((m) => m.name)).toEqual(loadMigrations().map((m) => m.name));
  });

  it('a second process migrating the same file at the same time does not apply anything twice', () => {
    const path = tempDbPath();
    const a = openDb(path, { migrate: false });
    const b = openDb(path, { migrate: false });
    const all = loadMigrations();
    expect(migrate(a, all)).toEqual(all.map((m) => m.version));
    expect(migrate(b, all)).toEqual([]);
    a.close();
    b.close();
  });

  it('says clearly when the file is not a SQLite database', () => {
    const path = join(tempDir(), 'not-a.db');
    writeFileSync(path, 'this is a text file, not a database '.repeat(200));
    const err = openFails(path);
    expect(err.code).toBe('DB_OPEN');
    expect(err.message).toMatch(/not a valid SQLite database or is corrupt/);
  });

  it('says clearly when the folder cannot be created', () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    const err = openFails(join(file, 'sub', 'logusage.db'));
    expect(err.code).toBe('DB_OPEN');
    expect(err.message).toMatch(/Check DATABASE_PATH/);
  });

  it('enforces the schema: no negative bytes, usage only for known logs', () => {
    const db = openDb(':memory:');
    db.prepare("INSERT INTO logs (id, updated_at) VALUES ('a', 'now')").run();
    expect(() => db.prepare("INSERT INTO usage (log_id, day, bytes) VALUES ('a', '2026-03-01', -1)").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO usage (log_id, day, bytes) VALUES ('zz', '2026-03-01', 1)").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
