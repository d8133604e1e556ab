import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daysInRange } from '../../../src/days.js';
import { loadMigrations, openDb } from '../../../src/store/db.js';
import { createTestCli } from '../../support/cli.js';
import { dumpHistory } from '../../support/db.js';
import { API_KEY, buildData, fastRapid7, logId, startSimulator } from '../../support/rapid7.js';
import { tempDir } from '../../support/tmp.js';

const MONTH = daysInRange('2026-02-13', '2026-03-14');

async function setup(simOpts: Parameters<typeof startSimulator>[0] = {}) {
  const dir = tempDir();
  const dbPath = join(dir, 'data', 'logusage.db');
  const sim = await startSimulator({ data: buildData({ logs: 4, days: MONTH }), ...simOpts });
  const env = { RAPID7_API_KEY: API_KEY, RAPID7_BASE_URL: sim.url, DATABASE_PATH: dbPath };
  const cli = createTestCli({ env, overrides: { rapid7: fastRapid7(sim.url) } });
  return { dir, dbPath, sim, env, cli };
}

/** Every byte of the database files (main file, WAL, shared memory) as one latin1 string. */
function databaseBytes(dbPath: string): string {
  const dir = join(dbPath, '..');
  return readdirSync(dir)
    .filter((f) => f.startsWith('logusage.db'))
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('');
}

function history(dbPath: string) {
  const db = openDb(dbPath);
  try {
    return dumpHistory(db);
  } finally {
    db.close();
  }
}

describe('logusage collect', () => {
  it('collects the first 30 days, then a normal week, and says what it stored', async () => {
    const { cli, sim } = await setup();
    expect(await cli.run('collect')).toBe(0);
    expect(cli.out()).toBe(
      'Collected 2026-02-13 … 2026-03-14: 30 observed days, 120 values for 4 logs, 4 log names, 30 organisation days (3 requests, first run).\n',
    );
    cli.reset();
    expect(await cli.run('collect')).toBe(0);
    expect(cli.out()).toBe(
      'Collected 2026-03-08 … 2026-03-14: 7 observed days, 28 values for 4 logs, 4 log names, 7 organisation days (3 requests).\n',
    );
    expect(sim.requests).toHaveLength(6);
    expect(cli.err()).toBe('');
    expect(cli.logs.records().some((r) => r.msg === 'collect done')).toBe(true);
  });

  it('prints one JSON line with --json, and logs never mix into stdout', async () => {
    const { cli } = await setup();
    expect(await cli.run('collect', '--from', '2026-03-10', '--to', '2026-03-12', '--json')).toBe(0);
    const lines = cli.out().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      window: { from: '2026-03-10', to: '2026-03-12' },
      observedDays: ['2026-03-10', '2026-03-11', '2026-03-12'],
      usageRows: 12,
      requests: 3,
      firstRun: false,
    });
  });

  it('401: exit code 1, no retry, a clear message, history untouched, and the key nowhere', async () => {
    const { cli, sim, dbPath } = await setup();
    expect(await cli.run('collect')).toBe(0);
    const before = history(dbPath);
    cli.reset();
    sim.requests.length = 0;
    sim.setApiKey('rotated-key-at-rapid7');
    for (const day of MONTH) sim.setUsage(day, logId(0), 5);
    expect(await cli.run('collect')).toBe(1);
    // The three calls go out together, each once: a 401 is never retried.
    expect(sim.requests.map((q) => q.path).sort()).toEqual(['/management/logs', '/usage/organizations', '/usage/organizations/logs']);
    expect(cli.err()).toMatch(/^error: Rapid7 refused the API key \(401 Unauthorized\).*Check RAPID7_API_KEY/);
    expect(cli.out()).toBe('');
    expect(history(dbPath)).toEqual(before);
    const logText = cli.logs.text();
    expect(logText).toContain('RAPID7_UNAUTHORIZED');
    for (const text of [cli.err(), logText, databaseBytes(dbPath)]) expect(text).not.toContain(API_KEY);
  });

  it('never stores or logs the key, whatever happened in the run', async () => {
    const { cli, sim, dbPath } = await setup({ maxWindowDays: 7 });
    sim.inject(
      { status: 429, headers: { 'Retry-After': '0' } },
      { path: '/management/logs', status: 503 },
      { path: '/management/logs', delayMs: 1_000 },
    );
    expect(await cli.run('collect')).toBe(0);
    sim.inject({ path: '/usage/organizations/logs', body: '{"per_day_usage": nope' });
    expect(await cli.run('collect')).toBe(1);
    expect(await cli.run('status', '--json')).toBe(0);
    expect(cli.logs.lines.length).toBeGreaterThan(5);
    const bytes = databaseBytes(dbPath);
    expect(bytes.length).toBeGreaterThan(4096);
    for (const text of [cli.out(), cli.err(), cli.logs.text(), bytes]) expect(text).not.toContain(API_KEY);
  });

  it.each([
    ['malformed JSON', '{"per_day_usage": ['],
    ['a wrong shape', '{"per_day_usage": {"usage": "yes"}}'],
    ['negative usage', '{"per_day_usage":{"usage":[{"interval":"2026-03-14","log_usage":[{"usage":-7,"id":"x"}]}],"usage_units":"bytes"}}'],
  ])('%s: exit code 1, nothing stored', async (_name, body) => {
    const { cli, sim, dbPath } = await setup();
    expect(await cli.run('collect')).toBe(0);
    const before = history(dbPath);
    cli.reset();
    sim.inject({ path: '/usage/organizations/logs', body });
    expect(await cli.run('collect')).toBe(1);
    expect(cli.err()).toMatch(/^error: Rapid7 sent a malformed answer to GET \/usage\/organizations\/logs .*nothing of it was stored/);
    expect(history(dbPath)).toEqual(before);
  });

  it('needs RAPID7_API_KEY (exit code 2) and does not create the database without it', async () => {
    const { env, dbPath } = await setup();
    const cli = createTestCli({ env: { ...env, RAPID7_API_KEY: '' } });
    expect(await cli.run('collect')).toBe(2);
    expect(cli.err()).toMatch(/Missing settings.*\n {2}- RAPID7_API_KEY: expected a Rapid7 API key/);
    expect(existsSync(dbPath)).toBe(false);
  });

  it('refuses bad options with exit code 2', async () => {
    const { cli } = await setup();
    expect(await cli.run('collect', '--from', '2026-13-01')).toBe(2);
    expect(cli.err()).toMatch(/--from "2026-13-01" is not a date: write YYYY-MM-DD/);
    cli.reset();
    expect(await cli.run('collect', '--to', '2026-03-15')).toBe(2);
    expect(cli.err()).toMatch(/today or later/);
  });
});

describe('logusage settings and usage errors', () => {
  it('lists every bad setting and exits with code 2', async () => {
    const cli = createTestCli({
      env: {
        RAPID7_REGION: 'moon',
        PORT: 'eighty',
        MONTHLY_BUDGET: '30',
        TIMEZONE: 'Nowhere/Land',
        DATABASE_PATH: join(tempDir(), 'x.db'),
      },
    });
    expect(await cli.run('status')).toBe(2);
    for (const name of ['RAPID7_REGION', 'PORT', 'MONTHLY_BUDGET', 'TIMEZONE']) expect(cli.err()).toContain(`  - ${name}=`);
  });

  it('exits with 2 on an unknown command or none, and 0 for help', async () => {
    const cli = createTestCli({ env: {} });
    expect(await cli.run('frobnicate')).toBe(2);
    expect(cli.err()).toMatch(/unknown command 'frobnicate'/);
    expect(await cli.run()).toBe(2);
    cli.reset();
    expect(await cli.run('--help')).toBe(0);
    expect(cli.out()).toMatch(/collect/);
    expect(cli.out()).toMatch(/import/);
  });
});

describe('logusage import', () => {
  it('reports bad rows with line numbers, exits with 1 and writes nothing', async () => {
    const { cli, dir, dbPath } = await setup();
    const file = join(dir, 'h.csv');
    writeFileSync(file, 'day,log_id,bytes\n2026-03-01,a,5\n2026-03-02,a,five\n2026-03-40,b,1\n');
    expect(await cli.run('import', file)).toBe(1);
    expect(cli.err()).toContain('has 2 bad row(s); nothing was imported');
    expect(cli.err()).toContain('line 3: bytes "five"');
    expect(cli.err()).toContain('line 4: day "2026-03-40"');
    expect(history(dbPath).usage).toEqual([]);
  });

  it('imports a good file and shows progress only on a terminal', async () => {
    const { dir, env } = await setup();
    const file = join(dir, 'h.csv');
    writeFileSync(file, 'day,log_id,bytes\n2026-03-01,a,5\n2026-03-02,a,6\n');
    const quiet = createTestCli({ env });
    expect(await quiet.run('import', file)).toBe(0);
    expect(quiet.out()).toBe('Imported 2 rows for 1 logs over 2 days (2026-03-01 … 2026-03-02).\n');
    expect(quiet.err()).toBe('');
    const tty = createTestCli({ env, isTTY: true });
    expect(await tty.run('import', file)).toBe(0);
    expect(tty.err()).toContain('\rimport (checking): 100%');
    expect(tty.err()).toContain('\rimport (writing): 100%');
    expect(tty.err().endsWith('\n')).toBe(true);
  });
});

describe('logusage migrate and status', () => {
  it('applies migrations once, then reports the database up to date', async () => {
    const dbPath = join(tempDir(), 'm.db');
    const cli = createTestCli({ env: { DATABASE_PATH: dbPath } });
    const all = loadMigrations();
    const last = all.at(-1)!.version;
    expect(await cli.run('migrate')).toBe(0);
    expect(cli.out()).toBe(`Applied migrations ${all.map((m) => m.version).join(', ')}; schema version ${last}.\n`);
    cli.reset();
    expect(await cli.run('migrate')).toBe(0);
    expect(cli.out()).toBe(`Database is up to date (schema version ${last}).\n`);
  });

  it('shows runs and coverage, as text and as one JSON object', async () => {
    const { cli } = await setup();
    await cli.run('collect');
    cli.reset();
    expect(await cli.run('status', '--json')).toBe(0);
    const s = JSON.parse(cli.out());
    expect(s).toMatchObject({
      schemaVersion: loadMigrations().at(-1)!.version,
      coverage: { observedDays: 30, firstDay: '2026-02-13', lastDay: '2026-03-14', logs: 4, activeLogs: 4, orgDays: 30 },
      monthlyBudget: null,
    });
    expect(s.runs[0]).toMatchObject({ job: 'collect', status: 'ok', windowFrom: '2026-02-13', windowTo: '2026-03-14' });
    cli.reset();
    expect(await cli.run('status')).toBe(0);
    expect(cli.out()).toContain('Observed days: 30 (2026-02-13 … 2026-03-14); newest day: 2026-03-14');
    expect(cli.out()).toContain('Logs: 4 known, 4 listed by Rapid7');
    expect(cli.out()).toMatch(/collect\s+ok\s+2026-02-13…2026-03-14/);
  });

  it('refuses a database written by a newer version, with exit code 1', async () => {
    const dbPath = join(tempDir(), 'n.db');
    const db = openDb(dbPath);
    db.prepare("INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x', 'now')").run();
    db.close();
    const cli = createTestCli({ env: { DATABASE_PATH: dbPath } });
    expect(await cli.run('status')).toBe(1);
    expect(cli.err()).toMatch(/written by a newer version of logusage.*9999_future\.sql/);
  });
});
