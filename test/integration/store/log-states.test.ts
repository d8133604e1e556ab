/**
 * The three states of a log, the facts kept from /management/logs, names that tell logs apart (SPEC §4),
 * and migration 0004 carrying every stored row over.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Db, defaultMigrationsDir, openDb } from '../../../src/store/db.js';
import { buildShownNames } from '../../../src/store/log-names.js';
import { getLog, isInternalLog, listLogs, logState, type ManagedLog, writeCollection } from '../../../src/store/usage.js';
import { createTestCli } from '../../support/cli.js';
import { collectDay } from '../../support/db.js';
import { tempDbPath, tempDir } from '../../support/tmp.js';

const NOW = '2026-03-15T08:00:00.000Z';

/** Stores one /management/logs answer and no usage. */
function listed(db: Db, managedLogs: ManagedLog[]): void {
  writeCollection(db, { observedDays: [], source: 'api', usage: [], managedLogs, now: NOW });
}

describe('log states', () => {
  it('tells listed, never listed and no longer listed apart; only the last is "(deleted)"', () => {
    const db = openDb(':memory:');
    collectDay(
      db,
      '2026-03-10',
      { a: 5, b: 6, c: 7 },
      {
        managedLogs: [
          { id: 'a', name: 'fw', logsets: [], sourceType: 'token', platformManaged: false, retentionPeriod: 'default', tokenCount: 2 },
          { id: 'b', name: 'gone-soon', logsets: [] },
        ],
        importedNames: new Map([['c', 'imported-only']]),
        now: NOW,
      },
    );
    listed(db, [{ id: 'a', name: 'fw', logsets: [] }]);
    const a = getLog(db, 'a')!;
    const b = getLog(db, 'b')!;
    const c = getLog(db, 'c')!;
    expect([logState(a), logState(b), logState(c)]).toEqual(['listed', 'no-longer-listed', 'never-listed']);
    expect(b.shownName).toBe('gone-soon (deleted)');
    expect(c.shownName).toBe('imported-only');
    // The second answer carried no facts: they follow the latest answer.
    expect(a).toMatchObject({ sourceType: null, tokenCount: null });
  });

  it('keeps source_type, platform_managed, retention and the token count; internal logs are marked', () => {
    const db = openDb(':memory:');
    listed(db, [
      { id: 'w', name: 'Web Access Log', logsets: [{ id: 'i', name: 'Internal Logs' }], sourceType: 'internal', tokenCount: 0 },
      { id: 'e', name: 'Endpoint Agents', logsets: [{ id: 'v', name: 'Virus Alert' }], platformManaged: true, tokenCount: 1 },
    ]);
    const w = getLog(db, 'w')!;
    const e = getLog(db, 'e')!;
    expect(w).toMatchObject({ sourceType: 'internal', platformManaged: false, tokenCount: 0, shownName: 'Web Access Log (internal)' });
    expect(isInternalLog(w)).toBe(true);
    // platform_managed alone is not internal: InsightIDR's data logs carry it.
    expect(e).toMatchObject({ platformManaged: true, shownName: 'Endpoint Agents' });
    expect(isInternalLog(e)).toBe(false);
  });
});

describe('names that tell logs apart', () => {
  const base = { inManagement: true, everListed: true, sourceType: 'token' };
  it('adds the log set to a repeated name, then a short id, and nothing to a unique one', () => {
    const names = buildShownNames([
      { ...base, id: '11111111-aaaa', name: 'Endpoint Agents', logsets: [{ id: 'x', name: 'Virus Alert' }] },
      { ...base, id: '22222222-bbbb', name: 'endpoint agents', logsets: [{ id: 'y', name: 'Asset Authentication' }] },
      { ...base, id: '33333333-cccc', name: 'Endpoint Agents', logsets: [{ id: 'y', name: 'Asset Authentication' }] },
      { ...base, id: '44444444-dddd', name: 'firewall', logsets: [{ id: 'z', name: 'Network' }] },
      { ...base, id: '55555555-eeee', name: 'Endpoint Agents', logsets: [] },
    ]);
    expect(names.get('11111111-aaaa')).toBe('Endpoint Agents · Virus Alert');
    expect(names.get('22222222-bbbb')).toBe('endpoint agents · Asset Authentication · 22222222');
    expect(names.get('33333333-cccc')).toBe('Endpoint Agents · Asset Authentication · 33333333');
    expect(names.get('44444444-dddd')).toBe('firewall');
    expect(names.get('55555555-eeee')).toBe('Endpoint Agents · no log set');
  });

  it('grows the short id until it is unique', () => {
    const names = buildShownNames([
      { ...base, id: 'abcdefgh1', name: 'x', logsets: [] },
      { ...base, id: 'abcdefgh2', name: 'x', logsets: [] },
    ]);
    expect(names.get('abcdefgh1')).toBe('x · no log set · abcdefgh1');
  });

  it('listLogs and getLog carry the same shown names', () => {
    const db = openDb(':memory:');
    listed(db, [
      { id: 'e1', name: 'Endpoint Agents', logsets: [{ id: 'v', name: 'Virus Alert' }] },
      { id: 'e2', name: 'Endpoint Agents', logsets: [{ id: 'a', name: 'Asset Authentication' }] },
    ]);
    expect(listLogs(db).map((l) => l.shownName)).toEqual(['Endpoint Agents · Virus Alert', 'Endpoint Agents · Asset Authentication']);
    expect(getLog(db, 'e2')?.shownName).toBe('Endpoint Agents · Asset Authentication');
  });
});

describe('migration 0004', () => {
  it('keeps every stored row and sets the states from what the rows prove', () => {
    // A database at version 3 (the migrations before 0004), with rows in every table that has data.
    const dir = join(tempDir('logusage-m3-'), 'migrations');
    mkdirSync(dir);
    for (const f of readdirSync(defaultMigrationsDir()).filter((f) => f < '0004'))
      copyFileSync(join(defaultMigrationsDir(), f), join(dir, f));
    const path = tempDbPath();
    const old = openDb(path, { migrationsDir: dir });
    const ins = old.prepare(
      'INSERT INTO logs (id, name, logsets, in_management, first_seen, last_seen, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    ins.run('listed', 'fw', '[]', 1, '2026-03-01', '2026-03-02', NOW);
    ins.run('deleted-with-set', 'old', '[{"id":"s","name":"Set"}]', 0, '2026-03-01', '2026-03-01', NOW);
    ins.run('imported', 'from-csv', '[]', 0, '2026-03-01', '2026-03-02', NOW);
    ins.run('unnamed', null, '[]', 0, '2026-03-01', '2026-03-01', NOW);
    const use = old.prepare('INSERT INTO usage (log_id, day, bytes) VALUES (?, ?, ?)');
    for (const id of ['listed', 'deleted-with-set', 'imported', 'unnamed']) use.run(id, '2026-03-01', 10);
    use.run('listed', '2026-03-02', 11);
    use.run('imported', '2026-03-02', 12);
    old.prepare("INSERT INTO observed_days VALUES ('2026-03-01', 'import', ?), ('2026-03-02', 'api', ?)").run(NOW, NOW);
    old.prepare("INSERT INTO org_usage VALUES ('2026-03-01', 40, ?)").run(NOW);
    old.prepare("INSERT INTO runs (job, status, started_at) VALUES ('import', 'ok', ?)").run(NOW);
    old.prepare("INSERT INTO log_settings (log_id, muted, updated_at, baseline_from) VALUES ('listed', 1, ?, '2026-03-01')").run(NOW);
    old
      .prepare(
        `INSERT INTO alerts (episode_key, scope, log_id, kind, status, first_day, last_day, evaluated_day, last_finding, created_at, updated_at)
         VALUES ('log:listed', 'log', 'listed', 'spike', 'open', '2026-03-02', '2026-03-02', '2026-03-02', '{}', ?, ?)`,
      )
      .run(NOW, NOW);
    old
      .prepare(
        "INSERT INTO outbox (idem_key, channel, method, payload, alert_id, next_attempt_at, created_at) VALUES ('alert:1:post', 'C', 'post', '{}', 1, ?, ?)",
      )
      .run(NOW, NOW);
    const tables = (
      old.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[]
    ).filter((t) => t !== 'schema_migrations');
    const dump = (db: typeof old) => Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t}`).all() as object[]]));
    const before = dump(old);
    old.close();

    const db = openDb(path);
    const after = dump(db);
    // Every old row is there with every old column's value (new columns only add).
    const rowsOf = (rows: object[], cols: string[]) =>
      rows.map((r) => JSON.stringify(cols.map((c) => (r as Record<string, unknown>)[c]))).sort();
    for (const t of tables) {
      const cols = Object.keys(before[t]![0] ?? {});
      expect(after[t]!.length, t).toBe(before[t]!.length);
      expect(rowsOf(after[t]!, cols), t).toEqual(rowsOf(before[t]!, cols));
    }
    expect(Object.fromEntries(listLogs(db).map((l) => [l.id, logState(l)]))).toEqual({
      listed: 'listed',
      'deleted-with-set': 'no-longer-listed',
      imported: 'never-listed',
      unnamed: 'never-listed',
    });
    expect(getLog(db, 'imported')?.shownName).toBe('from-csv');
    expect(getLog(db, 'deleted-with-set')?.shownName).toBe('old (deleted)');
    db.close();
  });
});

describe('import then digest --dry-run', () => {
  it('shows imported logs by name, never "(deleted)"', async () => {
    const path = tempDbPath();
    const file = join(tempDir(), 'history.csv');
    const rows = ['day,log_id,bytes,log_name'];
    for (let d = 1; d <= 20; d++) {
      const day = `2026-03-${String(d).padStart(2, '0')}`;
      rows.push(`${day},fw-1,${1_000_000_000 + d * 1000},firewall-eu`, `${day},edr-1,${2_000_000_000 + d * 7},edr-main`);
    }
    writeFileSync(file, `${rows.join('\n')}\n`);
    const cli = createTestCli({
      env: { DATABASE_PATH: path, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_DIGEST_CHANNEL: 'CDIG' },
      now: new Date('2026-03-21T08:00:00Z'),
    });
    expect(await cli.run('import', file)).toBe(0);
    cli.reset();
    expect(await cli.run('digest', '--day', '2026-03-20', '--dry-run')).toBe(0);
    expect(cli.out()).toContain('firewall-eu');
    expect(cli.out()).toContain('edr-main');
    expect(cli.out()).not.toContain('(deleted)');
  });
});
