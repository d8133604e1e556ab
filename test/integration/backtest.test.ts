/**
 * `logusage backtest`: replays a CSV file or the stored history; --json prints what eval/score.mjs reads;
 * no look-ahead end to end (a file ending at D and a longer one give the same findings up to D).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultThreads, replayOnThreads } from '../../src/commands/backtest-threads.js';
import { readSettings } from '../../src/config.js';
import { addDays, diffDays } from '../../src/days.js';
import { replay } from '../../src/detect/backtest.js';
import type { DayResult } from '../../src/detect/detect-day.js';
import type { Finding } from '../../src/detect/types.js';
import { AppError } from '../../src/errors.js';
import { runImport } from '../../src/import.js';
import { detectionParams } from '../../src/pipeline/detect.js';
import { openDb } from '../../src/store/db.js';
import { readCsvHistory } from '../../src/usage-csv.js';
import { generateSynthetic, scoreFindings, toCsv } from '../fixtures/detect/synthetic.js';
import { createTestCli, jsonLines } from '../support/cli.js';
import { tempDbPath, tempDir } from '../support/tmp.js';

const NOW = new Date('2027-01-01T08:00:00Z');
const SET = generateSynthetic({ seed: 21, logs: 60, days: 180 });

function file(text: string, name = 'usage.csv'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

const parse = (out: string) => jsonLines<Finding>(out);

describe('logusage backtest', () => {
  it('--input --json prints one finding per line with day, logId and kind, good enough to score', async () => {
    const cli = createTestCli({ env: { DATABASE_PATH: tempDbPath() }, now: NOW });
    expect(await cli.run('backtest', '--input', file(toCsv(SET)), '--json')).toBe(0);
    const all = parse(cli.out());
    // Organisation findings (SPEC §6.7) are printed too; the scorer reads the log findings.
    const found = all.filter((f) => f.scope === 'log');
    for (const f of all.filter((f) => f.scope !== 'log')) expect(['org', 'creep']).toContain(f.kind);
    expect(found.length).toBeGreaterThan(50);
    for (const f of found) {
      expect(f.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(typeof f.logId).toBe('string');
      expect(['spike', 'drop', 'silent', 'new']).toContain(f.kind);
      expect(f.reason.length).toBeGreaterThan(10);
    }
    const s = scoreFindings(SET, found);
    expect(s.recall).toBeGreaterThanOrEqual(0.95);
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(cli.err()).toBe('');
  });

  it('no look-ahead: a file ending at D and a longer one give identical findings for every day up to D', async () => {
    const cli = createTestCli({ env: { DATABASE_PATH: tempDbPath() }, now: NOW });
    const full = file(toCsv(SET), 'full.csv');
    expect(await cli.run('backtest', '--input', full, '--json')).toBe(0);
    const all = parse(cli.out());
    for (const cut of [70, 123]) {
      const d = addDays(SET.start, cut);
      cli.reset();
      expect(await cli.run('backtest', '--input', file(toCsv(SET, d), `to-${d}.csv`), '--json')).toBe(0);
      const part = parse(cli.out());
      expect(part.length).toBeGreaterThan(10);
      expect(part).toEqual(all.filter((f) => f.day <= d));
    }
  });

  it('without --json prints a summary: findings per kind, alert episodes, the noisiest logs', async () => {
    const cli = createTestCli({ env: { DATABASE_PATH: tempDbPath() }, now: NOW });
    expect(await cli.run('backtest', '--input', file(toCsv(SET)))).toBe(0);
    const out = cli.out();
    expect(out).toMatch(/^Backtest \d{4}-\d{2}-\d{2} … \d{4}-\d{2}-\d{2}: 180 days × 60 logs \(10,800 log-days\), sensitivity 1/);
    expect(out).toMatch(/Findings: \d+ \([\d.]+ per 1,000 log-days\), about \d+ alert episodes and notices/);
    expect(out).toMatch(/by kind: .*spike \d+/);
    expect(out).toMatch(/Noisiest logs:\n\s+\d+ {2}\S+/);
    // A wider band gives fewer findings.
    const count = (s: string) => Number(/Findings: (\d+)/.exec(s)?.[1]);
    cli.reset();
    expect(await cli.run('backtest', '--input', file(toCsv(SET)), '--sensitivity', 'low')).toBe(0);
    expect(count(cli.out())).toBeLessThan(count(out));
  });

  it('carries the organisation findings with their contributors, and the summary counts them', async () => {
    // 20 logs of 1 GB; day 40 all up 35 % (no log alerts: an organisation alert); from day 70 every log grows
    // 0.7 % a day (creep, at most once a fortnight); day 60 one log ×12 (its own spike carries the change).
    const start = '2026-01-01';
    const lines = ['day,log_id,log_name,bytes'];
    for (let d = 0; d < 130; d++) {
      for (let l = 0; l < 20; l++) {
        let v = 1e9 * (1 + 0.03 * Math.sin(d * 1.7 + l)) * (1 + 0.007 * Math.max(0, d - 70));
        if (d === 40) v *= 1.35;
        if (d === 60 && l === 0) v *= 12;
        lines.push(`${addDays(start, d)},L${l},log-${l},${Math.round(v)}`);
      }
    }
    const input = file(`${lines.join('\n')}\n`, 'org.csv');
    const cli = createTestCli({ env: { DATABASE_PATH: tempDbPath() }, now: NOW });
    expect(await cli.run('backtest', '--input', input, '--json')).toBe(0);
    const org = parse(cli.out()).filter((f) => f.scope === 'org');
    const unusual = org.filter((f) => f.kind === 'org');
    expect(unusual.find((f) => f.day === addDays(start, 40))).toMatchObject({
      details: { orgEvent: 'unusual' },
      contributors: expect.arrayContaining([
        expect.objectContaining({ logId: expect.stringMatching(/^L\d+$/), share: expect.any(Number) }),
      ]),
    });
    expect(unusual.find((f) => f.day === addDays(start, 40))?.contributors).toHaveLength(10);
    expect(unusual.find((f) => f.day === addDays(start, 40))?.details?.explained).toBeUndefined();
    expect(unusual.find((f) => f.day === addDays(start, 60))).toMatchObject({ details: { explained: true } });
    const creep = org.filter((f) => f.kind === 'creep');
    expect(creep.length).toBeGreaterThanOrEqual(1);
    expect(creep[0]?.contributors?.length).toBe(5);
    for (let i = 1; i < creep.length; i++) expect(diffDays(creep[i]!.day, creep[i - 1]!.day)).toBeGreaterThanOrEqual(14);
    cli.reset();
    expect(await cli.run('backtest', '--input', input)).toBe(0);
    const alerted = unusual.filter((f) => f.details?.explained !== true).length;
    expect(cli.out()).toContain(
      `Organisation: ${unusual.length} unusual days (${alerted} alerted, ${unusual.length - alerted} explained by logs' own alerts), ${creep.length} creep notice${creep.length === 1 ? '' : 's'}.`,
    );
  });

  it('--db replays the stored history; --from/--to limit the days judged', async () => {
    const path = tempDbPath();
    const db = openDb(path);
    runImport(db, file(toCsv(SET)), { now: () => NOW });
    db.close();
    const cli = createTestCli({ env: { DATABASE_PATH: path }, now: NOW });
    expect(await cli.run('backtest', '--input', file(toCsv(SET)), '--json')).toBe(0);
    const fromFile = parse(cli.out());
    cli.reset();
    expect(await cli.run('backtest', '--db', '--json')).toBe(0);
    // Names differ (the store marks logs never listed by Rapid7); what was found does not.
    // Within a day, findings follow the log order of the source (file order vs. id order in the store).
    const facts = (fs: Finding[]) =>
      fs
        .map(({ logName: _n, reason: _r, ...rest }) => rest)
        .sort((a, b) => `${a.day} ${a.kind} ${a.logId}`.localeCompare(`${b.day} ${b.kind} ${b.logId}`));
    expect(facts(parse(cli.out()))).toEqual(facts(fromFile));
    cli.reset();
    const from = addDays(SET.start, 100);
    const to = addDays(SET.start, 130);
    expect(await cli.run('backtest', '--db', '--from', from, '--to', to, '--json')).toBe(0);
    // The log rules need no earlier judgement; the organisation's knows only the new normals accepted from --from on.
    const logs = (fs: Finding[]) => fs.filter((f) => f.scope === 'log');
    expect(facts(logs(parse(cli.out())))).toEqual(facts(logs(fromFile.filter((f) => f.day >= from && f.day <= to))));
  });

  it('shows progress on a terminal only', async () => {
    const tty = createTestCli({ env: { DATABASE_PATH: tempDbPath() }, now: NOW, isTTY: true });
    expect(await tty.run('backtest', '--input', file(toCsv(SET)))).toBe(0);
    expect(tty.err()).toMatch(/backtest \(replaying\): \d+%/);
    const quiet = createTestCli({ env: { DATABASE_PATH: tempDbPath() }, now: NOW });
    expect(await quiet.run('backtest', '--input', file(toCsv(SET)))).toBe(0);
    expect(quiet.err()).toBe('');
  });

  it('reads quoted names, spaces and any column order; a row without bytes is refused', () => {
    const h = readCsvHistory(
      file(
        [
          'log_name,bytes,day,log_id',
          '"edge, main",1200,2026-01-01,a',
          ' fw ,  300 ,2026-01-03, b ',
          '"edge, main",0,2026-01-02,a',
          '',
        ].join('\n'),
      ),
    );
    expect(h.days).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
    expect(h.logs.map((l) => [l.id, l.name, [...l.values]])).toEqual([
      ['a', 'edge, main', [1200, 0, 0]],
      ['b', 'fw', [0, 0, 300]],
    ]);
    expect(() => readCsvHistory(file('day,log_id,bytes\n2026-01-01,a,\n'))).toThrow(/line 2: bytes "" is not a whole non-negative number/);
    expect(() => readCsvHistory(file('day,log_id,bytes\n2026-01-01,a\n'))).toThrow(/line 2: expected 3 columns like the header, found 2/);
  });

  it("checks rows as import does (duplicates, long ids, fractions) and answers with import's error code", () => {
    const bad = file(
      ['day,log_id,bytes', '2026-01-01,a,5', '2026-01-01,a,6', `2026-01-02,${'x'.repeat(201)},1`, '2026-01-03,b,1.5'].join('\n'),
    );
    let err: unknown;
    try {
      readCsvHistory(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('IMPORT_INVALID');
    expect((err as AppError).message).toMatch(/has 3 bad row\(s\); nothing was replayed/);
    expect((err as AppError).message).toContain('line 3: log a appears twice on 2026-01-01');
    expect((err as AppError).message).toContain('line 4: log_id is empty or longer than 200 characters');
    expect((err as AppError).message).toContain('line 5: bytes "1.5" is not a whole non-negative number');
    // A replay stores nothing: days after today are judged as they are.
    expect(readCsvHistory(file('day,log_id,bytes\n2999-01-01,a,5\n')).days).toEqual(['2999-01-01']);
  });

  it('--threads N gives exactly the findings and the summary of one thread (the logs judged on worker threads)', async () => {
    const input = file(toCsv(SET));
    const cli = createTestCli({ env: { DATABASE_PATH: tempDbPath() }, now: NOW });
    const run = async (...args: string[]) => {
      cli.reset();
      expect(await cli.run('backtest', '--input', input, ...args)).toBe(0);
      expect(cli.err()).toBe('');
      // The summary's first line says how long the run took; everything else must be the same.
      return cli.out().replace(/ in [\d.]+ s\./, '.');
    };
    const serial = await run('--json', '--threads', '1');
    expect(parse(serial).length).toBeGreaterThan(50);
    expect(await run('--json', '--threads', '2')).toBe(serial);
    // More threads than cores, and ranges of unequal length: still the same lines in the same order.
    expect(await run('--json', '--threads', '7')).toBe(serial);
    expect(await run('--threads', '3')).toBe(await run('--threads', '1'));
    // Days cut by --from/--to: blocks start at --from.
    const window = ['--json', '--from', addDays(SET.start, 37), '--to', addDays(SET.start, 151)];
    expect(await run(...window, '--threads', '2')).toBe(await run(...window, '--threads', '1'));
  });

  it('a replay on threads reports the same days, in order, and its progress up to every log', async () => {
    const h = readCsvHistory(file(toCsv(SET)));
    const params = detectionParams(readSettings({ DATABASE_PATH: tempDbPath() }), undefined);
    const days = (threads: number) => {
      const seen: Array<[string, Finding[], number]> = [];
      const progress: number[] = [];
      const opts = {
        params,
        onDay: (r: DayResult, done: number) => seen.push([r.day, r.findings, done]),
        onProgress: (f: number) => progress.push(f),
      };
      return { seen, progress, run: threads === 0 ? Promise.resolve(replay(h, opts)) : replayOnThreads(h, opts, threads) };
    };
    const one = days(0);
    const two = days(2);
    const [a, b] = await Promise.all([one.run, two.run]);
    expect(b).toEqual(a);
    expect(two.seen).toEqual(one.seen);
    expect(two.progress.at(-1)).toBe(1);
    for (let i = 1; i < two.progress.length; i++) expect(two.progress[i]).toBeGreaterThanOrEqual(two.progress[i - 1]!);
    expect(defaultThreads(20, 365)).toBe(1);
  });

  it('a replay on threads fails with the error of the day that failed, its code kept, and stops its workers', async () => {
    const h = readCsvHistory(file(toCsv(SET)));
    const params = detectionParams(readSettings({ DATABASE_PATH: tempDbPath() }), undefined);
    let days = 0;
    const run = replayOnThreads(
      h,
      {
        params,
        onDay: () => {
          if (++days === 30) throw new AppError('IMPORT_INVALID', 'day 30 refused');
        },
      },
      2,
    );
    await expect(run).rejects.toMatchObject({ code: 'IMPORT_INVALID', message: 'day 30 refused' });
    expect(days).toBe(30);
  });

  it('reads a file the same whatever the form of its rows (plain, quoted, spaced, CRLF, logs in any order)', () => {
    const rows: Array<[string, string, string, number]> = [];
    for (let d = 0; d < 20; d++)
      for (let l = 0; l < 6; l++) rows.push([addDays('2026-03-01', d), `id-${l}`, `log ${l}`, 1000 * (l + 1) + d]);
    const plain = ['day,log_id,log_name,bytes', ...rows.map((r) => r.join(','))].join('\n');
    // Every other row in a form the byte path leaves to the text path; the order of logs changes every day.
    const mixed = [
      'day,log_id,log_name,bytes',
      ...rows
        .map((r, i) => (i % 2 ? `"${r[0]}", ${r[1]} ,"${r[2]}",${r[3]}` : r.join(',')))
        .sort((x, y) => x.slice(0, 11).localeCompare(y.slice(0, 11)) || (x < y ? 1 : -1)),
    ].join('\r\n');
    const read = (text: string) => {
      const h = readCsvHistory(file(text));
      return { days: h.days, org: [...h.org], logs: h.logs.map((l) => [l.id, l.name, [...l.values], l.firstSeen]).sort() };
    };
    expect(read(mixed)).toEqual(read(plain));
    // A duplicate on the byte path is refused as on the text path.
    expect(() => readCsvHistory(file(`${plain}\n${rows[5]!.join(',')}\n`))).toThrow(/line 122: log id-5 appears twice on 2026-03-01/);
  });

  it('bad usage exits 2, a bad file 1, each with a message', async () => {
    const cli = createTestCli({ env: { DATABASE_PATH: tempDbPath() }, now: NOW });
    expect(await cli.run('backtest')).toBe(2);
    expect(cli.err()).toMatch(/exactly one of --input FILE\.csv or --db/);
    cli.reset();
    // A file that cannot be read or holds bad rows fails as it does for `import` (IMPORT_INVALID, exit 1).
    expect(await cli.run('backtest', '--input', join(tempDir(), 'missing.csv'))).toBe(1);
    expect(cli.err()).toMatch(/Cannot read/);
    cli.reset();
    expect(await cli.run('backtest', '--input', file('day,log_id,bytes\n2026-01-01,a,12\nnot-a-day,a,3\n'))).toBe(1);
    expect(cli.err()).toMatch(/line 3: day "not-a-day"/);
    cli.reset();
    expect(await cli.run('backtest', '--input', file(toCsv(SET)), '--sensitivity', 'loud')).toBe(2);
    cli.reset();
    expect(await cli.run('backtest', '--db', '--from', '2026-05-01', '--to', '2026-04-01')).toBe(2);
    cli.reset();
    expect(await cli.run('backtest', '--input', file(toCsv(SET)), '--threads', '0')).toBe(2);
    expect(cli.err()).toMatch(/--threads "0" is not valid: write a whole number of threads from 1 to 64 \(e\.g\. 2\)/);
  });
});
