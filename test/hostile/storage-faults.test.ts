/**
 * Storage faults: a full disk (SQLite's page limit on the connection), the database locked by another
 * process (a real child holding a write transaction), a read-only database file (a real CLI process
 * that cannot write it), and a corrupt database file. Each ends in a clear AppError (or a clear Slack
 * reply), with every table as it was and nothing previously stored lost; and once the fault is gone the
 * same work succeeds — no crash, no loop.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCollect } from '../../src/collect.js';
import { runDaily } from '../../src/daily.js';
import { addDays, daysInRange } from '../../src/days.js';
import { AppError } from '../../src/errors.js';
import { runImport } from '../../src/import.js';
import { createSilentLogger } from '../../src/logger.js';
import type { Rapid7Simulator } from '../../src/rapid7/simulator.js';
import { listThresholds, recordAudit } from '../../src/store/controls.js';
import { type Db, openDb } from '../../src/store/db.js';
import { createTestCli } from '../support/cli.js';
import { ALERTS, startDailyHarness, visibleCalls } from '../support/daily-harness.js';
import { rejection } from '../support/errors.js';
import { dumpContent, dumpData } from '../support/hostile.js';
import { holdWriteLock, type LockHolder } from '../support/lock-holder.js';
import { buildData, createTestClient, fastRapid7, logId, startSimulator } from '../support/rapid7.js';
import { ADMIN, startHarness } from '../support/slack-harness.js';
import { tempDbPath, tempDir } from '../support/tmp.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NOW = new Date('2026-03-15T08:00:00Z');
const WEEK = daysInRange('2026-03-08', '2026-03-14');
const BUSY_MS = 300;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A database file holding one collected week; Rapid7 now answers a bigger, different week. */
async function storedWeek(
  path: string = tempDbPath(),
): Promise<{ sim: Rapid7Simulator; path: string; db: Db; collect: (db?: Db) => ReturnType<typeof runCollect> }> {
  const sim = await startSimulator({ data: buildData({ logs: 10, days: WEEK }) });
  const db = openDb(path, { busyTimeoutMs: BUSY_MS });
  cleanups.push(() => {
    if (db.open) db.close();
  });
  const collect = (d: Db = db) =>
    runCollect({ db: d, client: createTestClient(sim), logger: createSilentLogger(), now: () => NOW }, { from: WEEK[0], to: WEEK[6] });
  await collect();
  for (const day of WEEK) for (let i = 0; i < 2000; i++) sim.setUsage(day, logId(i), 1_000_000 + i);
  return { sim, path, db, collect };
}

/** What a healthy database holds after the same two collections. */
async function reference(sim: Rapid7Simulator, first: () => Promise<void>): Promise<Record<string, unknown[]>> {
  const db = openDb(':memory:');
  try {
    await first();
    await runCollect({ db, client: createTestClient(sim), logger: createSilentLogger(), now: () => NOW }, { from: WEEK[0], to: WEEK[6] });
    return dumpContent(db);
  } finally {
    db.close();
  }
}

/**
 * Fills the database to the last page SQLite may use, with ever smaller rows, so that the next insert
 * into a table with data fails with SQLITE_FULL.
 */
function fillDisk(db: Db): void {
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  for (const pad of [400, 100, 20, 0]) {
    try {
      for (let i = 0; i < 100_000; i++)
        recordAudit(db, { actor: 'UFILLER01', at: NOW.toISOString() }, 'filler', null, { pad: 'x'.repeat(pad) });
      throw new Error('the database never filled up');
    } catch (err) {
      expect((err as { code?: string }).code).toBe('SQLITE_FULL');
    }
  }
}

describe('disk full', () => {
  it('collect fails with DB_WRITE and changes nothing; with room again the same run stores everything', async () => {
    const w = await storedWeek();
    w.db.pragma(`max_page_count = ${w.db.pragma('page_count', { simple: true }) as number}`);
    const before = dumpData(w.db);
    const err = await rejection(w.collect());
    expect(err.code).toBe('DB_WRITE');
    expect(err.message).toMatch(/is full \(SqliteError: database or disk is full\)\. Nothing was stored or changed\. Free some space/);
    expect(dumpData(w.db)).toEqual(before);

    w.db.pragma('max_page_count = 1073741823');
    await w.collect();
    const expected = await reference(w.sim, async () => undefined);
    expect(dumpContent(w.db).usage).toEqual(expected.usage);
    expect(dumpContent(w.db).observed_days).toEqual(expected.observed_days);
  });

  it('import fails with DB_WRITE and imports nothing', async () => {
    const w = await storedWeek();
    fillDisk(w.db);
    const csv = join(tempDir(), 'history.csv');
    writeFileSync(
      csv,
      `day,log_id,bytes\n${Array.from({ length: 5000 }, (_, i) => `2026-02-${String(1 + (i % 28)).padStart(2, '0')},${logId(i)},${i}`).join('\n')}\n`,
    );
    const before = dumpData(w.db);
    let err: unknown;
    try {
      runImport(w.db, csv, { now: () => NOW });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'DB_WRITE', message: expect.stringMatching(/disk is full.*Nothing was imported/) });
    expect(dumpData(w.db)).toEqual(before);
  });

  it('Slack: an admin’s change gets a clear reply and changes nothing; the app keeps answering; with room again it works', async () => {
    const path = tempDbPath();
    const db = openDb(path);
    const h = await startHarness({ db });
    cleanups.push(async () => {
      await h.close();
      db.close();
    });
    fillDisk(db);
    const before = dumpData(db);

    const refused = await h.ask('threshold set org 5TB/day', { user: ADMIN });
    expect(refused.text).toMatch(/failed \(DB_WRITE\)\. The disk that holds the database is full\. Nothing changed/);
    expect(dumpData(db)).toEqual(before);
    expect((await h.ask('help')).text).toMatch(/\/logusage summary/);
    expect((await h.ask('threshold list')).text).toMatch(/No thresholds/);

    db.pragma('max_page_count = 1073741823');
    expect((await h.ask('threshold set org 5TB/day', { user: ADMIN })).text).toMatch(/Threshold #\d+ set to 5 TB\/day/);
    expect(listThresholds(db)).toHaveLength(1);
  });
});

describe('the database locked by another process', () => {
  async function locked(path: string): Promise<LockHolder> {
    const holder = await holdWriteLock(path);
    cleanups.push(() => holder.release());
    return holder;
  }

  // Regression: startRun() once ran outside the error mapping, so SQLITE_BUSY escaped as a raw SqliteError.
  it('collect waits out the busy timeout and fails with DB_LOCKED, changing nothing', async () => {
    const w = await storedWeek();
    const before = dumpData(w.db);
    const holder = await locked(w.path);
    const err = await rejection(w.collect());
    expect(err.code).toBe('DB_LOCKED');
    await holder.release();
    expect(dumpData(w.db)).toEqual(before);
  });

  it('nothing is lost: once the other process is done, the same collect stores everything', async () => {
    const w = await storedWeek();
    const before = dumpData(w.db);
    const holder = await locked(w.path);
    await w.collect().catch(() => undefined);
    expect(dumpData(w.db)).toEqual(before);
    await holder.release();
    await w.collect();
    const expected = await reference(w.sim, async () => undefined);
    expect(dumpContent(w.db).usage).toEqual(expected.usage);
  });

  it('reads keep working: `status` answers while another process writes', async () => {
    const w = await storedWeek();
    await locked(w.path);
    const cli = createTestCli({ env: { DATABASE_PATH: w.path }, now: NOW });
    expect(await cli.run('status', '--json')).toBe(0);
    expect(JSON.parse(cli.out()).coverage).toMatchObject({ observedDays: 7, logs: 10 });
  });

  it('a daily run fails with a clear DB error, tells the alert channel once, and runs once the lock is gone', async () => {
    const days = daysInRange('2026-02-01', '2026-03-14');
    const h = await startDailyHarness({ data: buildData({ logs: 4, days }) });
    h.clock.now = new Date('2026-03-10T06:30:00Z');
    await runCollect(
      { db: h.db, client: createTestClient(h.sim), logger: createSilentLogger(), now: () => h.clock.now },
      { from: '2026-02-01', to: '2026-03-09' },
    );
    const busy = openDb(h.dbPath, { busyTimeoutMs: BUSY_MS });
    cleanups.push(() => {
      busy.close();
    });
    const holder = await locked(h.dbPath);
    const day = '2026-03-10';
    const deps = () => ({ ...h.deps({ db: busy }), now: () => new Date(`${addDays(day, 1)}T06:30:00Z`) });
    for (let attempt = 0; attempt < 2; attempt++) {
      const err = await rejection(runDaily(deps(), { day }));
      expect(err.code).toMatch(/^DB_/);
      expect(err.message).toMatch(/locked/);
    }
    expect(visibleCalls(h.slack).filter((l) => l.startsWith(`post ${ALERTS} The daily logusage run`))).toHaveLength(1);
    await holder.release();
    const ok = await runDaily(deps(), { day });
    expect(ok.runId).not.toBeNull();
  });

  // Regression: a dry run once rethrew SQLite errors as they were ("unexpected failure … a bug").
  it('a dry run while locked fails with a DB error (AppError), not a raw SqliteError', async () => {
    const days = daysInRange('2026-02-01', '2026-03-14');
    const h = await startDailyHarness({ data: buildData({ logs: 2, days }) });
    const busy = openDb(h.dbPath, { busyTimeoutMs: BUSY_MS });
    cleanups.push(() => {
      busy.close();
    });
    await locked(h.dbPath);
    const err = await rejection(
      runDaily({ ...h.deps({ db: busy }), now: () => new Date('2026-03-11T06:30:00Z') }, { day: '2026-03-10', dryRun: true }),
    );
    expect(err.code).toMatch(/^DB_/);
  });

  it('Slack: a change while locked gets a clear "busy, nothing changed" reply; reads answer; after the lock it works', async () => {
    const path = tempDbPath();
    openDb(path).close();
    const db = openDb(path, { busyTimeoutMs: BUSY_MS });
    // The lock is held until released below: a change is tried again for a second, then answered "busy".
    const h = await startHarness({ db, deps: { busyRetry: { timeoutMs: 1_000, delayMs: 100 } } });
    cleanups.push(async () => {
      await h.close();
      db.close();
    });
    const holder = await locked(path);
    const before = dumpData(db);
    const refused = await h.ask('budget set 30TB/month', { user: ADMIN });
    expect(refused.text).toMatch(
      /failed \(DB_LOCKED\)\. The database is busy: another logusage process is writing to it\. Nothing changed/,
    );
    expect(dumpData(db)).toEqual(before);
    expect((await h.ask('budget show')).text).toMatch(/No monthly budget/);
    expect((await h.ask('status')).text).toMatch(/logusage status/);
    await holder.release();
    expect((await h.ask('budget set 30TB/month', { user: ADMIN })).text).toMatch(/Monthly budget set to 30 TB/);
  });
});

/**
 * A folder tree for a CLI child that runs as another user: `base` (0755, ours) holds `db/` for the database and
 * `home/`, owned by the child's user, for its HOME and TMPDIR (tsx keeps its compile cache there). It lives in
 * the project's git-ignored `node_modules/.cache`, so neither the system temp folder's permissions nor another
 * user's files in it matter, and nothing outside the tree is ever chmod-ed.
 */
function childTree(): { dbPath: string; home: string; remove: () => void } {
  const cacheDir = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  const base = mkdtempSync(join(cacheDir, 'logusage-readonly-'));
  chmodSync(base, 0o755);
  const dbDir = join(base, 'db');
  const home = join(base, 'home');
  mkdirSync(dbDir, { mode: 0o755 });
  mkdirSync(home, { mode: 0o700 });
  if (process.getuid?.() === 0) chownSync(home, CHILD_USER.uid, CHILD_USER.gid);
  return {
    dbPath: join(dbDir, 'logusage.db'),
    home,
    remove: () => {
      chmodSync(dbDir, 0o755);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** The user a CLI child runs as when the tests run as root: file permissions do not hold for root. */
const CHILD_USER = { uid: 65534, gid: 65534 };

/** Runs the real CLI in a child process; as root it runs as `nobody`, for whom file permissions hold. */
function runCliProcess(
  args: string[],
  home: string,
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  const asChild = process.getuid?.() === 0 ? CHILD_USER : {};
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: home, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...asChild,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, out, err }));
  });
}

describe('a read-only database file', () => {
  it('the CLI stops with a clear error and writes nothing; made writable again, everything stored before is there', async () => {
    const tree = childTree();
    cleanups.push(tree.remove);
    const w = await storedWeek(tree.dbPath);
    const before = dumpData(w.db);
    w.db.close();
    const dir = dirname(w.path);
    chmodSync(w.path, 0o444);
    chmodSync(dir, 0o555);
    const bytes = readFileSync(w.path);

    const r = await runCliProcess(['collect'], tree.home, {
      DATABASE_PATH: w.path,
      RAPID7_API_KEY: 'r7-readonly-test',
      RAPID7_BASE_URL: w.sim.url,
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error: The database at .* cannot be written \(SqliteError: attempt to write a readonly database\)\. Nothing was stored or changed\. Give the user running logusage write access/m,
    );
    expect(r.err).not.toMatch(/This is a bug/);
    expect(Buffer.compare(readFileSync(w.path), bytes)).toBe(0);

    chmodSync(dir, 0o755);
    chmodSync(w.path, 0o644);
    const db = openDb(w.path);
    cleanups.push(() => {
      db.close();
    });
    expect(dumpData(db)).toEqual(before);
    await w.collect(db);
    expect(db.prepare('SELECT count(*) AS n FROM logs').get()).toEqual({ n: 2000 });
  });
});

describe('a corrupt database file', () => {
  function corrupt(path: string, how: 'header' | 'truncated'): Buffer {
    if (how === 'truncated') truncateSync(path, Math.floor(statSync(path).size / 2));
    else {
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.alloc(512, 0x5a), 0, 512, 0);
      closeSync(fd);
    }
    return readFileSync(path);
  }

  it.each(['header', 'truncated'] as const)(
    '%s: opening says it is corrupt and to restore a backup; the file is left as it was',
    async (how) => {
      const w = await storedWeek();
      w.db.close();
      const bytes = corrupt(w.path, how);
      let err: unknown;
      try {
        openDb(w.path);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({
        code: 'DB_OPEN',
        message: expect.stringMatching(/not a valid SQLite database or is corrupt .*Restore it from a backup/),
      });
      expect(Buffer.compare(readFileSync(w.path), bytes)).toBe(0);
    },
  );

  it('the CLI exits 1 with the same clear message every time and never rewrites the file (no crash loop)', async () => {
    const w = await storedWeek();
    w.db.close();
    const bytes = corrupt(w.path, 'header');
    const sent = w.sim.requests.length;
    for (let i = 0; i < 3; i++) {
      const cli = createTestCli({
        env: { DATABASE_PATH: w.path, RAPID7_API_KEY: 'r7-corrupt-test', RAPID7_BASE_URL: w.sim.url },
        now: NOW,
        overrides: { rapid7: fastRapid7(w.sim.url) },
      });
      expect(await cli.run('collect')).toBe(1);
      expect(cli.err()).toMatch(/^error: The database at .* is not a valid SQLite database or is corrupt/);
    }
    expect(Buffer.compare(readFileSync(w.path), bytes)).toBe(0);
    // It stops before asking Rapid7 for anything it could not store.
    expect(w.sim.requests.length).toBe(sent);
  });

  it('a damaged data page: status says the database is corrupt (DB_OPEN), not "a bug"', async () => {
    const w = await storedWeek();
    w.db.close();
    // Every page after the schema page is overwritten: whatever `status` reads first (the migrations table, the
    // usage, the runs) is damaged, however the tables happen to be laid out in the file.
    const size = statSync(w.path).size;
    const fd = openSync(w.path, 'r+');
    for (let at = 4096; at < size; at += 4096) writeSync(fd, Buffer.alloc(4096, 0x41), 0, 4096, at);
    closeSync(fd);
    const cli = createTestCli({ env: { DATABASE_PATH: w.path }, now: NOW });
    const code = await cli.run('status');
    expect(code).toBe(1);
    expect(cli.err()).toMatch(/corrupt.*Restore it from a backup/);
  });
});
