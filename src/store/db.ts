/**
 * Opens the SQLite database and applies migrations. The database handle is created by the caller
 * (main/cli/tests) and passed down; nothing here is a module-level singleton.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { AppError, describeError, type ErrorCode } from '../errors.js';

export type Db = Database.Database;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** The migrations folder beside src/ and dist/ (one level above this file's folder's parent). */
export function defaultMigrationsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '..', '..', 'migrations');
}

export function loadMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_-]+\.sql$/i.test(f))
    .sort();
  const seen = new Set<number>();
  return files.map((file) => {
    const version = Number(file.slice(0, 4));
    if (seen.has(version)) {
      throw new AppError('DB_MIGRATION_FAILED', `Two migration files share version ${version} in ${dir}.`);
    }
    seen.add(version);
    const sql = readFileSync(join(dir, file), 'utf8');
    return { version, name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  migrationsDir?: string;
  readonly?: boolean;
  /** busy_timeout in ms (default 5000). */
  busyTimeoutMs?: number;
}

/** Opens (creating its folder when missing) and migrates the database at `path` (or ':memory:'). */
export function openDb(path: string, opts: OpenOptions = {}): Db {
  let db: Db;
  try {
    if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(resolve(path)), { recursive: true });
    db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw new AppError(
      'DB_OPEN',
      `Cannot open the database at ${path}: ${describeError(err)}. Check DATABASE_PATH, that its folder is writable and the disk is not full.`,
      { cause: err },
    );
  }
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    if (!opts.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    // Fails fast with a clear message on a corrupt or non-SQLite file.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    if (opts.migrate !== false) migrate(db, loadMigrations(opts.migrationsDir));
    else checkNotNewer(db, loadMigrations(opts.migrationsDir));
  } catch (err) {
    db.close();
    if (err instanceof AppError) throw err;
    const e = storageError(err, path);
    throw e.details?.kind === 'other'
      ? new AppError('DB_OPEN', `Cannot prepare the database at ${path}: ${describeError(err)}.`, { cause: err })
      : e;
  }

  return db;
}

function ensureTable(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
}

interface Applied {
  version: number;
  name: string;
  checksum: string;
}

function applied(db: Db): Applied[] {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'").get();
  if (!exists) return [];
  return db.prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all() as Applied[];
}

function checkNotNewer(db: Db, migrations: Migration[]): Applied[] {
  const done = applied(db);
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const a of done) {
    const m = known.get(a.version);
    if (!m) {
      throw new AppError(
        'DB_NEWER_SCHEMA',
        `The database was written by a newer version of logusage (it has migration ${a.name}, which this version does not know). Upgrade logusage, or restore a backup made by this version.`,
      );
    }
    if (m.checksum !== a.checksum) {
      throw new AppError(
        'DB_MIGRATION_CHANGED',
        `Migration ${a.name} was changed after it was applied to this database (checksum differs). Applied migrations must never be edited: restore the original file and put the change in a new numbered migration.`,
      );
    }
  }
  return done;
}

/**
 * Applies pending migrations in order, each in its own IMMEDIATE transaction (so two processes starting
 * together never apply the same file twice: the second sees it recorded and skips it). Returns the versions
 * applied now.
 */
export function migrate(db: Db, migrations: Migration[] = loadMigrations()): number[] {
  ensureTable(db);
  const done = new Set(checkNotNewer(db, migrations).map((a) => a.version));
  const isRecorded = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
  const ran: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    const apply = db.transaction((): boolean => {
      if (isRecorded.get(m.version)) return false;
      db.exec(m.sql);
      record.run(m.version, m.name, m.checksum, new Date().toISOString());
      return true;
    });
    let applied: boolean;
    try {
      applied = apply.immediate();
    } catch (err) {
      throw new AppError('DB_MIGRATION_FAILED', `Migration ${m.name} failed: ${describeError(err)}. Nothing of it was applied.`, {
        cause: err,
      });
    }
    if (applied) ran.push(m.version);
  }
  // Another process may have recorded a file whose text differs from ours.
  if (ran.length < migrations.length - done.size) checkNotNewer(db, migrations);
  return ran;
}

export type StorageFailure = 'locked' | 'full' | 'readonly' | 'corrupt' | 'other';

/**
 * An error thrown by SQLite (or anything else while using the database) as an AppError whose message
 * tells the operator what to do. `details.kind` says which storage failure it was (for person-facing
 * wording elsewhere). AppErrors pass through unchanged. The one place SQLite result codes are read.
 */
export function storageError(err: unknown, path?: string): AppError {
  if (err instanceof AppError) return err;
  const msg = describeError(err);
  const db = path ? `The database at ${path}` : 'The database (DATABASE_PATH)';
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  const text = `${code} ${msg}`;
  const make = (c: ErrorCode, kind: StorageFailure, message: string) => new AppError(c, message, { cause: err, details: { kind } });
  if (/SQLITE_BUSY|SQLITE_LOCKED|database is locked|database is busy/i.test(text)) {
    return make(
      'DB_LOCKED',
      'locked',
      `${db} is locked by another process (${msg}). Nothing was stored or changed. Wait for the other process to finish (or stop it), then try again.`,
    );
  }
  if (/SQLITE_CORRUPT|SQLITE_NOTADB|not a database|malformed|corrupt/i.test(text)) {
    return make(
      'DB_OPEN',
      'corrupt',
      `${db} is not a valid SQLite database or is corrupt (${msg}). Restore it from a backup or move it aside to start fresh.`,
    );
  }
  if (/SQLITE_FULL|disk is full|database or disk is full/i.test(text)) {
    return make(
      'DB_WRITE',
      'full',
      `The disk that holds ${db.replace('The database', 'the database')} is full (${msg}). Nothing was stored or changed. Free some space, then run again.`,
    );
  }
  if (/SQLITE_READONLY|SQLITE_CANTOPEN|SQLITE_IOERR|readonly|read-only/i.test(text)) {
    return make(
      'DB_WRITE',
      'readonly',
      `${db} cannot be written (${msg}). Nothing was stored or changed. Give the user running logusage write access to the file and its folder, and check the disk and DATABASE_PATH.`,
    );
  }
  return make('DB_WRITE', 'other', `${db} failed (${msg}). Nothing was stored or changed. Check the free disk space and DATABASE_PATH.`);
}

/** True when `err` came from SQLite (better-sqlite3's SqliteError carries an SQLITE_* code). */
export function isSqliteError(err: unknown): boolean {
  return String((err as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_');
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null } | undefined;
  return row?.v ?? 0;
}

/** `make(db)` once per connection: every caller of the returned function with the same connection shares it. */
export function perConnection<T extends object>(make: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db, T>();
  return (db) => {
    let v = made.get(db);
    if (!v) {
      v = make(db);
      made.set(db, v);
    }
    return v;
  };
}
